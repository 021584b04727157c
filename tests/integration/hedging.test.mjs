// Hedged requests: when the first deployment has produced no first token after
// `hedge_after`, the next one starts in parallel and the first to answer wins.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startOpenAIMock } from '../mocks/openai-mock.mjs';
import { MASTER_KEY, UPSTREAM_KEY, toYaml } from '../support/config.mjs';
import { startGateway } from '../support/gateway.mjs';
import { chatBody, gatewayClient, readSSE, streamedContent, waitFor } from '../support/http.mjs';
import { startStallingUpstream } from '../support/stalling-upstream.mjs';

const HEDGE_AFTER_MS = 100;

describe('hedged requests', () => {
  let mock;
  let stall;
  let gateway;
  let client;

  before(async () => {
    mock = await startOpenAIMock({ apiKey: UPSTREAM_KEY });
    stall = await startStallingUpstream();
    gateway = await startGateway({
      config: toYaml({
        server: { listen: '127.0.0.1:0' },
        auth: { master_key: MASTER_KEY },
        timeouts: { connect: '2s', first_byte: '5s', first_token: '5s', total: '30s' },
        providers: {
          up: { type: 'openai', base_url: mock.url, api_key: UPSTREAM_KEY },
          stuck: { type: 'openai', base_url: `${stall.url}/v1`, api_key: UPSTREAM_KEY },
        },
        models: {
          hedged: {
            hedge_after: `${HEDGE_AFTER_MS}ms`,
            deployments: [
              { provider: 'up', model: 'gpt-slow', priority: 0 },
              { provider: 'up', model: 'gpt-fast', priority: 1 },
            ],
          },
          'hedged-stream': {
            hedge_after: `${HEDGE_AFTER_MS}ms`,
            deployments: [
              { provider: 'stuck', model: 'gpt-stuck', priority: 0 },
              { provider: 'up', model: 'gpt-fast', priority: 1 },
            ],
          },
          unhedged: {
            deployments: [
              { provider: 'up', model: 'gpt-slow', priority: 0 },
              { provider: 'up', model: 'gpt-fast', priority: 1 },
            ],
          },
        },
      }),
    });
    client = gatewayClient(gateway.url, { apiKey: MASTER_KEY });
  });

  after(async () => {
    if (process.env.DEBUG_LOGS) console.log(gateway?.logs());
    await gateway?.stop();
    await mock?.close();
    await stall?.close();
  });

  const chatRequests = (model) => mock.requests.filter((r) => r.path.endsWith('/chat/completions') && JSON.parse(r.body).model === model);
  const accessLine = (id) => gateway.logs().split('\n').find((line) => line.includes(`request_id=${id}`)) ?? '';

  it('answers from the second deployment when the first is slow to its first byte', async () => {
    mock.reset();
    mock.script([{ kind: 'slow_first_byte', delay_ms: 1500 }, { kind: 'normal' }]);
    const startedAt = Date.now();
    const res = await client.chat(chatBody({ model: 'hedged' }));
    const elapsed = Date.now() - startedAt;
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.choices[0].message.content, 'Hello from mock: Say hello');
    assert.equal(res.headers.get('x-switchyard-deployment'), 'up/gpt-fast');
    assert.equal(res.headers.get('x-switchyard-attempts'), '2');
    assert.ok(elapsed < 1000, `the hedge should answer long before the slow deployment (took ${elapsed} ms)`);
    assert.equal(chatRequests('gpt-slow').length, 1);
    assert.equal(chatRequests('gpt-fast').length, 1);
    await waitFor(() => accessLine(res.headers.get('x-request-id')).includes('attempt_log'));
    assert.match(accessLine(res.headers.get('x-request-id')), /attempt_log="?up\/gpt-slow:hedge-lost,up\/gpt-fast:200/);
  });

  it('cancels a stream that never produced its first token once the hedge answered', async () => {
    mock.reset();
    const before = stall.requests.length;
    const res = await client.chat(chatBody({ model: 'hedged-stream', stream: true }));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'up/gpt-fast');
    const { events } = await readSSE(res);
    assert.equal(streamedContent(events), 'Hello from mock: Say hello');
    assert.equal(stall.requests.length, before + 1, 'the stalled deployment was tried first');
  });

  it('does not hedge when the first deployment answers in time', async () => {
    mock.reset();
    const res = await client.chat(chatBody({ model: 'hedged' }));
    assert.equal(res.status, 200);
    await res.text();
    assert.equal(res.headers.get('x-switchyard-deployment'), 'up/gpt-slow');
    assert.equal(res.headers.get('x-switchyard-attempts'), '1');
    assert.equal(chatRequests('gpt-fast').length, 0);
  });

  it('without hedge_after, a slow first deployment is waited for', async () => {
    mock.reset();
    mock.script([{ kind: 'slow_first_byte', delay_ms: 300 }]);
    const res = await client.chat(chatBody({ model: 'unhedged' }));
    assert.equal(res.status, 200);
    await res.text();
    assert.equal(res.headers.get('x-switchyard-deployment'), 'up/gpt-slow');
    assert.equal(chatRequests('gpt-fast').length, 0);
  });
});
