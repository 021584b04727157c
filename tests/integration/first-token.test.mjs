// The first token is the first content delta, for every upstream type: an upstream that
// answers at once with its headers and stream preamble (OpenAI's role-only chunk, Anthropic's
// message_start, ping and content_block_start) and sends content much later, as reasoning
// models do, is hedged and trips the first_token timeout; and a hedge's loser is cancelled
// whatever it is doing, its connection closed before it would have answered (checked at the
// mock).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startAnthropicMock } from '../mocks/anthropic-mock.mjs';
import { startGeminiMock } from '../mocks/gemini-mock.mjs';
import { startOpenAIMock } from '../mocks/openai-mock.mjs';
import { MASTER_KEY, UPSTREAM_KEY, toYaml } from '../support/config.mjs';
import { startGateway } from '../support/gateway.mjs';
import { chatBody, gatewayClient, readJSON, readSSE, streamedContent, waitFor } from '../support/http.mjs';
import { itKeepsLogsCleanAndComplete } from '../support/harness.mjs';

const HEDGE_AFTER_MS = 100;
const SLOW_MS = 3000;  // the slow attempt's delay: far longer than the hedge needs
const FIRST_TOKEN_MS = 500;

const UPSTREAMS = {
  openai: { start: () => startOpenAIMock({ apiKey: UPSTREAM_KEY }), prefix: 'gpt', answer: 'Hello from mock: Say hello' },
  anthropic: { start: () => startAnthropicMock({ apiKey: UPSTREAM_KEY }), prefix: 'claude', answer: 'Hello from mock: Say hello' },
  gemini: { start: () => startGeminiMock({ apiKey: UPSTREAM_KEY }), prefix: 'gemini', answer: 'Hello from mock: Say hello' },
};

// Behaviours of a slow first attempt: the head and preamble at once, or nothing at all.
const SLOW_BEHAVIOURS = {
  'headers and preamble at once, the first content after 3 s': { kind: 'slow_first_content', delay_ms: SLOW_MS },
  'no headers for 3 s': { kind: 'slow_first_byte', delay_ms: SLOW_MS },
};

describe('the first token is the first content delta', () => {
  const mocks = {};
  const ctx = { gateway: null, client: null };

  before(async () => {
    const providers = {};
    const models = {};
    for (const [type, upstream] of Object.entries(UPSTREAMS)) {
      mocks[type] = await upstream.start();
      providers[type] = { type, base_url: mocks[type].url, api_key: UPSTREAM_KEY };
      models[`hedged-${type}`] = {
        hedge_after: `${HEDGE_AFTER_MS}ms`,
        deployments: [
          { provider: type, model: `${upstream.prefix}-slow`, priority: 0 },
          { provider: type, model: `${upstream.prefix}-fast`, priority: 1 },
        ],
      };
      models[`first-token-${type}`] = {
        timeouts: { first_token: `${FIRST_TOKEN_MS}ms` },
        deployments: [{ provider: type, model: `${upstream.prefix}-patient` }],
      };
    }
    ctx.gateway = await startGateway({
      config: toYaml({
        server: { listen: '127.0.0.1:0' },
        auth: { master_key: MASTER_KEY },
        timeouts: { connect: '2s', first_byte: '10s', first_token: '10s', total: '30s' },
        providers,
        models,
      }),
    });
    ctx.client = gatewayClient(ctx.gateway.url, { apiKey: MASTER_KEY });
  });

  after(async () => {
    await ctx.gateway?.stop();
    for (const mock of Object.values(mocks)) await mock.close();
  });

  // The generation requests a mock received for `model` since `since` (an index into its requests).
  const received = (type, model, since) =>
    mocks[type].requests.slice(since).filter((r) => r.method === 'POST' && (r.path.includes(model) || r.body.includes(`"${model}"`)));

  for (const [type, upstream] of Object.entries(UPSTREAMS)) {
    for (const [situation, behaviour] of Object.entries(SLOW_BEHAVIOURS)) {
      for (const stream of [true, false]) {
        it(`${type} upstream, ${situation}${stream ? ', streaming' : ''}: the hedge wins and the slow attempt is closed`, async () => {
          const mock = mocks[type];
          const since = mock.requests.length;
          mock.script([behaviour]);  // the first attempt; the hedge's backup behaves normally
          const startedAt = Date.now();
          const res = await ctx.client.chat(chatBody({ model: `hedged-${type}`, stream }));
          assert.equal(res.status, 200);
          const content = stream ? streamedContent((await readSSE(res)).events) : (await readJSON(res)).choices[0].message.content;
          const elapsed = Date.now() - startedAt;
          assert.equal(content, upstream.answer);
          assert.equal(res.headers.get('x-switchyard-deployment'), `${type}/${upstream.prefix}-fast`);
          assert.equal(res.headers.get('x-switchyard-attempts'), '2');
          assert.ok(elapsed < SLOW_MS / 2, `the hedge should answer long before the slow attempt would (took ${elapsed} ms)`);

          const [slow] = received(type, `${upstream.prefix}-slow`, since);
          const [fast] = received(type, `${upstream.prefix}-fast`, since);
          assert.ok(slow && fast, 'both attempts reached the upstream');
          const hedgedAfter = fast.receivedAt - slow.receivedAt;
          assert.ok(hedgedAfter >= HEDGE_AFTER_MS - 20 && hedgedAfter < HEDGE_AFTER_MS + 400,
                    `the backup started ${hedgedAfter} ms after the first attempt`);
          // The loser's connection is closed at once, long before it would have answered.
          await waitFor(() => slow.closedEarly, { timeoutMs: 1000, message: 'the slow attempt closed' });
          assert.equal(slow.completed, false, 'the slow attempt must not have completed its answer');
          assert.ok(slow.closedAt - slow.receivedAt < SLOW_MS, `closed ${slow.closedAt - slow.receivedAt} ms in`);
          assert.equal(fast.completed, true);
        });
      }
    }

    it(`${type} upstream: preamble then silence trips a first_token timeout of ${FIRST_TOKEN_MS} ms`, async () => {
      const mock = mocks[type];
      const since = mock.requests.length;
      mock.script([{ kind: 'slow_first_content', delay_ms: SLOW_MS }]);
      const startedAt = Date.now();
      const res = await ctx.client.chat(chatBody({ model: `first-token-${type}`, stream: true }));
      const elapsed = Date.now() - startedAt;
      assert.equal(res.status, 504);
      const body = await readJSON(res);
      assert.equal(body.error.code, 'upstream_first_token_timeout');
      assert.ok(elapsed >= FIRST_TOKEN_MS - 20 && elapsed < SLOW_MS / 2, `answered after ${elapsed} ms`);
      const [attempt] = received(type, `${upstream.prefix}-patient`, since);
      await waitFor(() => attempt.closedEarly, { timeoutMs: 1000, message: 'the timed-out attempt closed' });
      assert.equal(attempt.completed, false);
    });
  }

  itKeepsLogsCleanAndComplete(ctx);
});
