// OpenAI client → OpenAI upstream: the passthrough path. The body is forwarded with only the
// model rewritten, the upstream key replaces the client's, and answers (JSON or SSE) come back
// as the upstream sent them.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MASTER_KEY, UPSTREAM_KEY } from '../support/config.mjs';
import { itKeepsLogsCleanAndComplete, useGatewayWithMock } from '../support/harness.mjs';
import { DONE, chatBody, readJSON, readSSE, parseSSE, streamedContent, usageChunks } from '../support/http.mjs';

// Only the delta and finish reason of each chunk: what must survive relaying, whatever the
// gateway does with envelope fields such as "usage":null.
const deltas = (events) =>
  events.filter((e) => e !== DONE && e.choices?.length).map((e) => [e.choices[0].delta, e.choices[0].finish_reason]);

describe('chat completions passthrough', () => {
  const ctx = useGatewayWithMock({
    // The upstream key comes from the environment, which also exercises ${VAR} expansion.
    config: {
      upstreamKey: '${SWITCHYARD_TEST_UPSTREAM_KEY}',
    },
    env: { SWITCHYARD_TEST_UPSTREAM_KEY: UPSTREAM_KEY },
  });

  /** Sends `body`; returns the client's response and the chat requests the upstream received. */
  async function roundTrip(body) {
    const res = await ctx.client.chat(body);
    const upstream = ctx.mock.chatRequests();
    return { res, upstream };
  }

  // Compact JSON with a field the gateway does not model, keys out of order and a number written
  // unusually: a re-serialising gateway would change the bytes (key order, number format) even
  // though the JSON would still compare equal.
  const requestText =
    '{"model":"fast","messages":[{"role":"developer","content":"You are terse."},{"role":"user","content":"Say hello"}],' +
    '"max_completion_tokens":64,"temperature":0.20,"metadata":{"z":"1","a":"2"},"prediction":{"type":"content","content":"Hello"}}';

  describe('non-streaming', () => {
    it('forwards the request with only the model rewritten to the deployment model', async () => {
      const { res, upstream } = await roundTrip(requestText);
      await res.arrayBuffer();
      assert.equal(res.status, 200);
      assert.equal(upstream.length, 1);
      assert.deepEqual(JSON.parse(upstream[0].body), { ...JSON.parse(requestText), model: 'gpt-4o-mini' });
    });

    it('keeps a field it does not model and its bytes intact', async () => {
      const { res, upstream } = await roundTrip(requestText);
      await res.arrayBuffer();
      assert.ok(upstream[0].body.includes('"prediction":{"type":"content","content":"Hello"}'), `upstream body: ${upstream[0].body}`);
      assert.ok(upstream[0].body.includes('"temperature":0.20,"metadata":{"z":"1","a":"2"}'), `upstream body: ${upstream[0].body}`);
    });

    it('passes an argument the provider does not know to it, and relays its refusal', async () => {
      const { res, upstream } = await roundTrip('{"model":"fast","messages":[{"role":"user","content":"Hi"}],"x_custom":{"a":[1,2]}}');
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), {
        error: { message: 'Unrecognized request argument supplied: x_custom', type: 'invalid_request_error', param: null, code: null },
      });
      assert.equal(upstream.length, 1);
    });

    it('forwards the body byte-for-byte apart from the model value', async () => {
      const { res, upstream } = await roundTrip(requestText);
      await res.arrayBuffer();
      assert.equal(upstream[0].body, requestText.replace('"model":"fast"', '"model":"gpt-4o-mini"'));
    });

    it('posts to /chat/completions under the provider base_url', async () => {
      const { res, upstream } = await roundTrip(chatBody());
      await res.arrayBuffer();
      assert.equal(upstream[0].method, 'POST');
      assert.equal(upstream[0].path, '/v1/chat/completions');
    });

    it('authenticates upstream with the provider key as a Bearer token', async () => {
      const { res, upstream } = await roundTrip(chatBody());
      await res.arrayBuffer();
      assert.equal(upstream[0].headers.authorization, `Bearer ${UPSTREAM_KEY}`);
    });

    it('never forwards the client key upstream, in any header', async () => {
      const res = await ctx.client.chat(chatBody(), { headers: { 'x-api-key': MASTER_KEY } });
      await res.arrayBuffer();
      const [upstream] = ctx.mock.chatRequests();
      assert.ok(!JSON.stringify(upstream.headers).includes(MASTER_KEY), `upstream headers: ${JSON.stringify(upstream.headers)}`);
    });

    it("returns the upstream's response body to the client", async () => {
      const { res, upstream } = await roundTrip(chatBody());
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      const body = await readJSON(res);
      assert.deepEqual(body, JSON.parse(upstream[0].response.body));
      assert.equal(body.choices[0].message.content, 'Hello from mock: Say hello');
    });

    it('routes a PROVIDER/MODEL name to that provider with the bare model name', async () => {
      const { res, upstream } = await roundTrip(chatBody({ model: 'up/gpt-4.1' }));
      const text = await res.text();
      assert.equal(res.status, 200, text);
      assert.equal(upstream.length, 1);
      assert.equal(JSON.parse(upstream[0].body).model, 'gpt-4.1');
    });
  });

  describe('streaming', () => {
    const streamBody = (extra = {}) => chatBody({ stream: true, messages: [{ role: 'user', content: 'Count to three please' }], ...extra });
    const withUsage = { stream_options: { include_usage: true } };

    it('asks the upstream for a stream', async () => {
      const { res, upstream } = await roundTrip(streamBody());
      await res.arrayBuffer();
      assert.equal(JSON.parse(upstream[0].body).stream, true);
    });

    it('relays the chunks as text/event-stream, in order, ending with data: [DONE]', async () => {
      const { res, upstream } = await roundTrip(streamBody());
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const stream = await readSSE(res);
      assert.equal(stream.trailing, '', 'the stream must end with a complete frame');
      assert.equal(stream.events.at(-1), DONE);
      assert.equal(streamedContent(stream.events), 'Hello from mock: Count to three please');
      assert.deepEqual(deltas(stream.events), deltas(parseSSE(upstream[0].response.body).frames.map((f) => f.json)));
    });

    it('relays the upstream stream byte-for-byte when the client asked for usage', async () => {
      const { res, upstream } = await roundTrip(streamBody(withUsage));
      const stream = await readSSE(res);
      assert.equal(stream.text, upstream[0].response.body);
    });

    it('ends with a choices:[] usage chunk when the client asked for include_usage', async () => {
      const { res, upstream } = await roundTrip(streamBody(withUsage));
      const { events } = await readSSE(res);
      assert.equal(events.at(-1), DONE);
      const last = events.at(-2);
      assert.deepEqual(last.choices, []);
      const upstreamEvents = parseSSE(upstream[0].response.body).frames.map((f) => f.json);
      assert.deepEqual(last.usage, upstreamEvents.at(-2).usage);
      assert.equal(last.usage.total_tokens, last.usage.prompt_tokens + last.usage.completion_tokens);
    });

    it('sends no usage chunk to a client that did not ask for one', async () => {
      const { res } = await roundTrip(streamBody());
      const { events } = await readSSE(res);
      assert.deepEqual(usageChunks(events), []);
      assert.ok(
        events.every((e) => e === DONE || !Array.isArray(e.choices) || e.choices.length > 0),
        'no chunk may have an empty choices array',
      );
    });
  });

  itKeepsLogsCleanAndComplete(ctx);
});
