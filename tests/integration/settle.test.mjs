// Every request settles exactly once, with one outcome record, however it ends: the test
// build's outcome sink (SWITCHYARD_OUTCOME_FILE) receives one line per request across
// success, bad JSON, a wrong key, an unknown model, a body over the limit, an upstream 500
// after failover, a stream that fails midway, a client that leaves before the first byte,
// and a stream cut by shutdown. A client that leaves before the upstream's first byte also
// closes the upstream connection within a second.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startOpenAIMock } from '../mocks/openai-mock.mjs';
import { MASTER_KEY, UPSTREAM_KEY, gatewayConfig } from '../support/config.mjs';
import { makeTempDir, startGateway } from '../support/gateway.mjs';
import { chatBody, gatewayClient, rawExchange, readJSON, readSSE, uniqueId, waitFor } from '../support/http.mjs';

const MAX_BODY_SIZE = 1024 * 1024;
const SHUTDOWN_TIMEOUT_MS = 1000;

describe('settle: one outcome per request', () => {
  let mock;
  let gateway;
  let client;
  let outcomeFile;
  const expected = new Map();  // request id -> what its outcome must say

  before(async () => {
    mock = await startOpenAIMock({ apiKey: UPSTREAM_KEY });
    outcomeFile = path.join(makeTempDir(), 'outcomes.jsonl');
    gateway = await startGateway({
      config: gatewayConfig({
        mockUrl: mock.url,
        server: { shutdown_timeout: `${SHUTDOWN_TIMEOUT_MS}ms` },
        models: {
          failover: {
            cooldown: { failures: 0 },
            deployments: [{ provider: 'up', model: 'gpt-a' }, { provider: 'up', model: 'gpt-b' }],
          },
        },
      }),
      env: { SWITCHYARD_OUTCOME_FILE: outcomeFile },
    });
    client = gatewayClient(gateway.url, { apiKey: MASTER_KEY });
  });

  after(async () => {
    await gateway?.stop('SIGKILL');
    await mock?.close();
  });

  /** A request with its own id, whose outcome must match `outcome`. */
  const expect = (outcome) => {
    const id = uniqueId('settle');
    expected.set(id, outcome);
    return { 'x-request-id': id };
  };

  it('a success', async () => {
    const res = await client.chat(chatBody(), { headers: expect({ status: 200, ending: 'answered' }) });
    assert.equal(res.status, 200);
    await res.text();
  });

  it('a health probe', async () => {
    const res = await client.get('/healthz', { headers: expect({ status: 200, ending: 'answered', health_probe: true }) });
    assert.equal(res.status, 200);
    await res.text();
  });

  it('a 400 for bad JSON', async () => {
    const res = await client.chat('{"model": ', { headers: expect({ status: 400, ending: 'rejected' }) });
    assert.equal(res.status, 400);
    await res.text();
  });

  it('a 401 for a wrong key', async () => {
    const res = await client.chat(chatBody(), {
      apiKey: 'sk-wrong',
      headers: expect({ status: 401, ending: 'rejected', error_code: 'invalid_api_key', principal: 'anonymous' }),
    });
    assert.equal(res.status, 401);
    await res.text();
  });

  it('a 404 for an unknown model', async () => {
    const res = await client.chat(chatBody({ model: 'no-such-model' }), {
      headers: expect({ status: 404, ending: 'rejected', error_code: 'model_not_found' }),
    });
    assert.equal(res.status, 404);
    await res.text();
  });

  it('a 413 for a body over the limit', async () => {
    const headers = expect({ status: 413, ending: 'rejected', error_code: 'request_too_large' });
    const head =
      'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      `Authorization: Bearer ${MASTER_KEY}\r\nContent-Type: application/json\r\nx-request-id: ${headers['x-request-id']}\r\n` +
      `Content-Length: ${MAX_BODY_SIZE + 64 * 1024}\r\n\r\n`;
    const { received } = await rawExchange(gateway.port, head, { timeoutMs: 3000 });
    assert.match(received, /^HTTP\/1\.1 413 /);
  });

  it('an upstream 500 after failover', async () => {
    mock.script([{ kind: 'status', status: 500 }, { kind: 'status', status: 500 }]);
    const res = await client.chat(chatBody({ model: 'failover' }), {
      headers: expect({ status: 500, ending: 'failed', attempts: 2, error_code: 'upstream_500' }),
    });
    assert.equal(res.status, 500);
    await res.text();
  });

  it('a stream that fails midway', async () => {
    mock.script([{ kind: 'error_midstream', after_chunks: 2 }]);
    const res = await client.chat(chatBody({ stream: true }), { headers: expect({ status: 200, ending: 'stream_failed' }) });
    assert.equal(res.status, 200);
    await readSSE(res);
  });

  it('a client that leaves before the first byte: the upstream connection closes within a second', async () => {
    const since = mock.requests.length;
    mock.script([{ kind: 'slow_first_byte', delay_ms: 5000 }]);
    const headers = { ...expect({ status: 499, ending: 'client_closed', error_code: 'client_closed' }),
                      authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' };
    const abort = new AbortController();
    const pending = fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST', headers, body: JSON.stringify(chatBody({ stream: true })), signal: abort.signal,
    }).catch((err) => err);
    await waitFor(() => mock.requests.length > since, { message: 'the request reached the upstream' });
    const abortedAt = Date.now();
    abort.abort();
    assert.ok((await pending) instanceof Error);
    const upstream = mock.requests[since];
    await waitFor(() => upstream.closedEarly, { timeoutMs: 1000, message: 'the upstream connection closed within a second' });
    assert.ok(upstream.closedAt - abortedAt < 1000, `closed ${upstream.closedAt - abortedAt} ms after the client left`);
    assert.equal(upstream.completed, false);
  });

  it('a stream cut by shutdown', async () => {
    // Eight frames 500 ms apart: the stream outlasts the shutdown timeout.
    mock.script([{ kind: 'slow_stream', interval_ms: 500 }]);
    const res = await client.chat(chatBody({ stream: true }), { headers: expect({ status: 200, ending: 'shutdown' }) });
    assert.equal(res.status, 200);
    const reader = res.body.getReader();
    await reader.read();  // the stream has started
    const stopped = gateway.stop('SIGTERM');
    await reader.read().catch(() => {});
    assert.equal(await stopped, 0);
    await reader.cancel().catch(() => {});
  });

  it('each request settled exactly once, as it ended', () => {
    const lines = readFileSync(outcomeFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
    const byId = new Map();
    for (const outcome of lines) byId.set(outcome.request_id, [...(byId.get(outcome.request_id) ?? []), outcome]);
    for (const [id, want] of expected) {
      const got = byId.get(id) ?? [];
      assert.equal(got.length, 1, `request ${id} settled ${got.length} times (want ${JSON.stringify(want)})`);
      for (const [field, value] of Object.entries(want)) {
        assert.equal(got[0][field], value, `${field} of ${JSON.stringify(got[0])}`);
      }
    }
    // Nothing else settled twice either.
    const repeated = [...byId].filter(([, outcomes]) => outcomes.length > 1).map(([id]) => id);
    assert.deepEqual(repeated, []);
    // The timings add up: the whole is at least the upstream part.
    for (const outcome of lines) {
      assert.ok(outcome.total_us >= outcome.upstream_us, JSON.stringify(outcome));
      assert.ok(outcome.overhead_us <= outcome.total_us, JSON.stringify(outcome));
    }
    const success = lines.find((o) => o.request_id === [...expected].find(([, w]) => w.ending === 'answered' && !w.health_probe)[0]);
    assert.equal(success.principal, 'master_key');
    assert.ok(success.ttft_us > 0 && success.ttft_us <= success.total_us, JSON.stringify(success));
    assert.ok(success.input_tokens > 0 && success.output_tokens > 0, JSON.stringify(success));
  });
});
