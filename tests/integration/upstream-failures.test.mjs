// What the client sees when the upstream fails: error statuses are passed through, transport
// failures become 502/504, and a stream that breaks after it started ends with an error frame.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { assertEndsWithErrorFrame, assertOpenAIError } from '../support/assertions.mjs';
import { gatewayConfig } from '../support/config.mjs';
import { openaiFixture } from '../support/fixtures.mjs';
import { itKeepsLogsCleanAndComplete, useGatewayWithMock } from '../support/harness.mjs';
import { DONE, chatBody, closedPort, parseSSE, readJSON, readSSE } from '../support/http.mjs';

const FIRST_BYTE_TIMEOUT_MS = 1000;

// A port nothing listens on, reserved before the gateway starts so its config can name it.
let refusedPort;
before(async () => {
  refusedPort = await closedPort();
});

describe('upstream failures', () => {
  const ctx = useGatewayWithMock({
    config: (mock) =>
      gatewayConfig({
        mockUrl: mock.url,
        timeouts: { connect: '2s', first_byte: `${FIRST_BYTE_TIMEOUT_MS / 1000}s`, total: '10s' },
        providers: {
          down: { type: 'openai', base_url: `http://127.0.0.1:${refusedPort}/v1`, api_key: 'sk-down-test' },
        },
        models: { refused: { deployments: [{ provider: 'down', model: 'gpt-4o-mini' }] } },
      }),
  });

  /** Scripts one behaviour for the next upstream call and sends a chat request. */
  async function chatWith(behaviour, body = chatBody()) {
    ctx.mock.script([behaviour]);
    return ctx.client.chat(body);
  }

  const streamBody = () => chatBody({ stream: true, messages: [{ role: 'user', content: 'one two three four five' }] });

  /** The events the mock actually sent for the (only) chat request, complete frames only. */
  const upstreamEvents = () => parseSSE(ctx.mock.chatRequests()[0].response.body).frames.map((f) => f.json);

  describe('error statuses are passed through', () => {
    it('relays a 429 with its body and retry-after header', async () => {
      const res = await chatWith({ kind: 'status', status: 429, headers: { 'retry-after': '7' } });
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '7');
      assert.deepEqual(await readJSON(res), openaiFixture('openai.error.429.json'));
    });

    it('relays a 500 with its body', async () => {
      const res = await chatWith({ kind: 'status', status: 500 });
      assert.equal(res.status, 500);
      assert.deepEqual(await readJSON(res), openaiFixture('openai.error.500.json'));
    });

    it('relays a 400 with its body', async () => {
      const res = await chatWith({ kind: 'status', status: 400 });
      assert.equal(res.status, 400);
      assert.deepEqual(await readJSON(res), openaiFixture('openai.error.400.json'));
    });

    it('answers a streaming request whose upstream fails before any byte with an HTTP error, not SSE', async () => {
      const res = await chatWith({ kind: 'status', status: 500 }, streamBody());
      assert.equal(res.status, 500);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assertOpenAIError(await readJSON(res));
    });
  });

  describe('transport failures', () => {
    it('answers 502 when the upstream refuses the connection', async () => {
      const res = await ctx.client.chat(chatBody({ model: 'refused' }));
      assert.equal(res.status, 502);
      assertOpenAIError(await readJSON(res));
    });

    it('answers 502 when the upstream resets the connection before answering', async () => {
      // Two resets: a reset on a reused keep-alive connection looks like a stale connection, and
      // the gateway may legitimately retry once on a fresh one. (beforeEach clears a leftover.)
      ctx.mock.script([{ kind: 'reset' }]);
      const res = await chatWith({ kind: 'reset' });
      assert.equal(res.status, 502);
      assertOpenAIError(await readJSON(res));
    });

    /** Sends a request the mock delays past first_byte; expects 504 soon after the timeout. */
    async function expectFirstByteTimeout(behaviour) {
      const started = Date.now();
      const res = await chatWith(behaviour);
      const elapsed = Date.now() - started;
      assert.equal(res.status, 504);
      assertOpenAIError(await readJSON(res));
      assert.ok(elapsed >= FIRST_BYTE_TIMEOUT_MS * 0.9, `504 came before the timeout (${elapsed} ms)`);
      assert.ok(elapsed < FIRST_BYTE_TIMEOUT_MS + 2000, `504 took ${elapsed} ms`);
    }

    it('answers 504 soon after timeouts.first_byte when the upstream never answers', async () => {
      await expectFirstByteTimeout({ kind: 'hang' });
    });

    it('answers 504 soon after timeouts.first_byte when the upstream answers too late', async () => {
      await expectFirstByteTimeout({ kind: 'slow_first_byte', delay_ms: FIRST_BYTE_TIMEOUT_MS + 1500 });
    });
  });

  describe('failures after the stream started', () => {
    it('ends a truncated stream with complete frames and an error frame, never the half frame', async () => {
      const res = await chatWith({ kind: 'truncate', after_chunks: 3 }, streamBody());
      assert.equal(res.status, 200);
      const stream = await readSSE(res); // throws if the gateway does not finish the response
      const { before: relayed } = assertEndsWithErrorFrame(stream);
      const sent = upstreamEvents(); // the 3 complete chunks (the half frame is not a frame)
      assert.equal(sent.length, 3, 'the mock could not send its 3 chunks: did the gateway drop the upstream early?');
      assert.deepEqual(
        relayed.map((e) => e.choices?.[0]?.delta),
        sent.map((e) => e.choices[0].delta),
        'the complete chunks must be relayed, and nothing of the half frame',
      );
    });

    it('relays an upstream error frame and ends the stream', async () => {
      const res = await chatWith({ kind: 'error_midstream', after_chunks: 2 }, streamBody());
      assert.equal(res.status, 200);
      const stream = await readSSE(res);
      const { before: relayed, error } = assertEndsWithErrorFrame(stream);
      const sent = upstreamEvents();
      assert.deepEqual(error, sent.at(-1).error);
      assert.deepEqual(
        relayed.map((e) => e.choices?.[0]?.delta),
        sent.slice(0, -1).map((e) => e.choices[0].delta),
      );
      assert.ok(!stream.events.slice(0, -1).includes(DONE), 'no [DONE] before the error frame');
    });
  });

  itKeepsLogsCleanAndComplete(ctx);
});
