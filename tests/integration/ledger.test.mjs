// The usage ledger end to end, on the embedded SQLite file and on a real PostgreSQL server the
// suite starts: streams cut by the client or by an upstream reset leave one row that says
// whether its usage was reported or estimated; the usage API returns the figures the requests
// put in, grouped, paged and as CSV; refusals after authentication get rows and 401s do not;
// SIGTERM with 200 requests in flight leaves exactly one row per request.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startAnthropicMock } from '../mocks/anthropic-mock.mjs';
import { startOpenAIMock } from '../mocks/openai-mock.mjs';
import { MASTER_KEY, UPSTREAM_KEY, gatewayConfig } from '../support/config.mjs';
import { makeTempDir, startGateway } from '../support/gateway.mjs';
import { chatBody, gatewayClient, uniqueId, waitFor } from '../support/http.mjs';
import { admin, allLedgerRows, usd, waitForLedgerRow } from '../support/ledger.mjs';
import { startPostgres } from '../support/services.mjs';

let postgres = null;
after(async () => postgres?.stop());

/**
 * Where a gateway keeps its ledger: `config(yaml)` adds the storage settings to its configuration,
 * `sql(query)` reads the ledger as an operator's shell would (one value per line).
 */
async function ledgerBackend(kind) {
  if (kind === 'sqlite') {
    const dataDir = makeTempDir();
    return {
      env: { SWITCHYARD_DATA_DIR: dataDir },
      config: (yaml) => yaml,
      sql: (query) => execFileSync('sqlite3', [path.join(dataDir, 'switchyard.db'), query], { encoding: 'utf8' }).trim(),
    };
  }
  postgres ??= await startPostgres();
  const url = postgres.database();
  const name = url.slice(url.lastIndexOf('/') + 1);
  return {
    env: {},
    config: (yaml) => `${yaml}\nstorage:\n  database: ${JSON.stringify(url)}\n`,
    sql: (query) => postgres.psql(query, name),
  };
}

/** Reads a stream until `frames` SSE frames arrived, then drops the connection. */
async function readFramesThenLeave(res, frames, controller) {
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (text.split('\n\n').length - 1 < frames) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  controller.abort();
  return text;
}

for (const kind of ['sqlite', 'postgres']) {
  describe(`usage ledger (${kind})`, () => {
    let openai;
    let anthropic;
    let gateway;
    let client;
    const rowFor = (id) => waitForLedgerRow(gateway.url, MASTER_KEY, (row) => row.request_id === id);

    before(async () => {
      openai = await startOpenAIMock({ apiKey: UPSTREAM_KEY });
      anthropic = await startAnthropicMock({ apiKey: UPSTREAM_KEY });
      const backend = await ledgerBackend(kind);
      gateway = await startGateway({
        env: backend.env,
        config: backend.config(gatewayConfig({
          mockUrl: openai.url,
          providers: { ant: { type: 'anthropic', base_url: anthropic.url.replace(/\/v1$/, ''), api_key: UPSTREAM_KEY } },
          models: {
            // A configured price: $2.50 / $10 per million, cached input $1.25.
            priced: { deployments: [{ provider: 'up', model: 'gpt-4o-mini-tuned', price: { input: '2.50', output: '10', cache_read: '1.25' } }] },
            unpriced: { deployments: [{ provider: 'up', model: 'gpt-4-acme-private' }] },
            claude: { deployments: [{ provider: 'ant', model: 'claude-sonnet-4-5' }] },
          },
        })),
      });
      client = gatewayClient(gateway.url, { apiKey: MASTER_KEY });
    });

    after(async () => {
      await gateway?.stop('SIGKILL');
      await openai?.close();
      await anthropic?.close();
    });

    it('a stream the client cuts after a few deltas: one row, its usage estimated from what was relayed', async () => {
      const id = uniqueId('cut-by-client');
      openai.script([{ kind: 'slow_stream', interval_ms: 150 }]);
      const controller = new AbortController();
      const res = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json', 'x-request-id': id },
        body: JSON.stringify(chatBody({ model: 'priced', stream: true, messages: [{ role: 'user', content: 'one two three four five six' }] })),
        signal: controller.signal,
      });
      assert.equal(res.status, 200);
      await readFramesThenLeave(res, 3, controller).catch(() => {});
      const row = await rowFor(id);
      assert.equal(row.usage_source, 'estimated');
      assert.equal(row.error_kind, 'cancelled');
      assert.ok(row.output_tokens >= 3 && row.output_tokens < 12, `output estimate ${row.output_tokens}`);
      assert.ok(row.input_tokens > 0);
      // Estimated tokens are still billed: priced at the deployment's price.
      const pico = BigInt(row.input_tokens) * 2_500_000n + BigInt(row.output_tokens) * 10_000_000n;
      assert.equal(row.cost_usd, usd(pico));
      assert.equal((await allLedgerRows(gateway.url, MASTER_KEY)).filter((r) => r.request_id === id).length, 1);
    });

    it('a stream cut by an upstream reset: one row, estimated, with the upstream failure as its error', async () => {
      const id = uniqueId('cut-by-upstream');
      openai.script([{ kind: 'truncate', after_chunks: 3 }]);
      const res = await client.chat(chatBody({ model: 'priced', stream: true }), { headers: { 'x-request-id': id } });
      assert.equal(res.status, 200);
      await res.text();
      const row = await rowFor(id);
      assert.equal(row.usage_source, 'estimated');
      assert.match(row.error_kind, /^upstream_/);
      assert.ok(row.output_tokens > 0);
    });

    it('a cut Anthropic stream keeps the usage Anthropic reported when it started', async () => {
      const id = uniqueId('cut-anthropic');
      anthropic.script([{ kind: 'truncate', after_chunks: 4 }]);
      const res = await fetch(`${gateway.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': MASTER_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json', 'x-request-id': id },
        body: JSON.stringify({ model: 'claude', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Say hello' }] }),
      });
      await res.text();
      const row = await rowFor(id);
      assert.equal(row.usage_source, 'reported');  // message_start carried the input tokens
      assert.ok(row.input_tokens > 0);
    });

    it('the client\'s end-user tag is kept: OpenAI chat `user`, Responses `user`', async () => {
      const chat = uniqueId('user-chat');
      const responses = uniqueId('user-responses');
      await (await client.chat(chatBody({ model: 'priced', user: 'end-user-42' }), { headers: { 'x-request-id': chat } })).text();
      await (await client.request('/v1/responses', {
        method: 'POST', json: { model: 'priced', input: 'Say hello', user: 'end-user-43' }, headers: { 'x-request-id': responses },
      })).text();
      assert.equal((await rowFor(chat)).user, 'end-user-42');
      assert.equal((await rowFor(responses)).user, 'end-user-43');
    });

    it('a model without a known price is recorded with an unknown cost, never zero', async () => {
      const id = uniqueId('unpriced');
      const res = await client.chat(chatBody({ model: 'unpriced' }), { headers: { 'x-request-id': id } });
      assert.equal(res.status, 200);
      await res.text();
      const row = await rowFor(id);
      assert.ok(row.output_tokens > 0);
      assert.equal(row.cost_usd, null);
    });

    it('refusals after authentication get a row with zero tokens; a wrong key gets none', async () => {
      const unknown = uniqueId('unknown-model');
      const wrongKey = uniqueId('wrong-key');
      const badJson = uniqueId('bad-json');
      // A name with the characters a database's text formats escape comes back as it was sent.
      const strange = 'no\tsuch\nmodel \\ "x" \u00e9';
      await (await client.chat(chatBody({ model: strange }), { headers: { 'x-request-id': unknown } })).text();
      await (await client.chat('{"model": ', { headers: { 'x-request-id': badJson } })).text();
      await (await client.chat(chatBody(), { apiKey: 'sk-wrong', headers: { 'x-request-id': wrongKey } })).text();
      const row = await rowFor(unknown);
      assert.equal(row.model, strange);
      assert.equal(row.status, 404);
      assert.equal(row.error_kind, 'not_found');
      assert.equal(row.input_tokens + row.output_tokens, 0);
      assert.equal(row.cost_usd, '0.000000000000');
      assert.equal((await rowFor(badJson)).status, 400);
      const rows = await allLedgerRows(gateway.url, MASTER_KEY);
      assert.equal(rows.filter((r) => r.request_id === wrongKey).length, 0);
      // Nor does the admin API itself.
      assert.equal(rows.filter((r) => r.operation === 'admin').length, 0);
    });
  });

  describe(`usage API (${kind}): the figures the requests put in, grouped, paged, as JSON and CSV`, () => {
    let openai;
    let gateway;
    let client;
    const RUNS = [
      // model alias, how many requests, cached tokens the upstream reports for each
      ['alpha', 7, 0],
      ['beta', 4, 3],
    ];

    before(async () => {
      openai = await startOpenAIMock({ apiKey: UPSTREAM_KEY });
      const backend = await ledgerBackend(kind);
      gateway = await startGateway({
        env: backend.env,
        config: backend.config(gatewayConfig({
          mockUrl: openai.url,
          providers: { other: { type: 'openai', base_url: openai.url, api_key: UPSTREAM_KEY } },
          models: {
            alpha: { deployments: [{ provider: 'up', model: 'gpt-4o-mini', price: { input: '1', output: '2' } }] },
            beta: { deployments: [{ provider: 'other', model: 'gpt-4.1', price: { input: '3', output: '4', cache_read: '0.5' } }] },
          },
        })),
      });
      client = gatewayClient(gateway.url, { apiKey: MASTER_KEY });
      for (const [model, count, cached] of RUNS) {
        for (let i = 0; i < count; ++i) {
          openai.script([{ kind: 'normal', cached_tokens: cached }]);
          const res = await client.chat(chatBody({ model, messages: [{ role: 'user', content: `request number ${i} of ${model}` }] }));
          assert.equal(res.status, 200);
          await res.text();
        }
      }
      await waitFor(async () => (await allLedgerRows(gateway.url, MASTER_KEY)).length === 11, { message: '11 rows' });
    });

    after(async () => {
      await gateway?.stop('SIGKILL');
      await openai?.close();
    });

    it('groups by model with the sums and costs of its rows', async () => {
      const rows = await allLedgerRows(gateway.url, MASTER_KEY);
      const usage = await admin(gateway.url, MASTER_KEY, '/admin/usage?group_by=model');
      assert.deepEqual(usage.data.map((g) => g.model), ['alpha', 'beta']);
      for (const group of usage.data) {
        const mine = rows.filter((r) => r.model === group.model);
        const sum = (field) => mine.reduce((total, r) => total + r[field], 0);
        assert.equal(group.requests, mine.length);
        assert.equal(group.errors, 0);
        for (const field of ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens']) {
          assert.equal(group[field], sum(field), field);
        }
        const pico = mine.reduce((total, r) => total + BigInt(r.cost_usd.replace('.', '')), 0n);
        assert.equal(group.cost_usd, usd(pico));
        const latencies = mine.map((r) => r.latency_ms).sort((a, b) => a - b);
        assert.equal(group.latency_p50_ms, latencies[Math.ceil(0.5 * latencies.length) - 1]);
        assert.equal(group.latency_p95_ms, latencies[Math.ceil(0.95 * latencies.length) - 1]);
      }
      const beta = usage.data.find((g) => g.model === 'beta');
      assert.equal(beta.cache_read_tokens, 4 * 3);
      // Each beta row: uncached input × $3 + 3 cached × $0.50 + output × $4 per million.
      for (const row of rows.filter((r) => r.model === 'beta')) {
        const pico = BigInt(row.input_tokens - 3) * 3_000_000n + 3n * 500_000n + BigInt(row.output_tokens) * 4_000_000n;
        assert.equal(row.cost_usd, usd(pico));
      }
    });

    it('groups by provider, day and hour', async () => {
      const byProvider = await admin(gateway.url, MASTER_KEY, '/admin/usage?group_by=provider');
      assert.deepEqual(byProvider.data.map((g) => [g.provider, g.requests]), [['other', 4], ['up', 7]]);
      const byDay = await admin(gateway.url, MASTER_KEY, '/admin/usage?group_by=day');
      assert.equal(byDay.data.reduce((n, g) => n + g.requests, 0), 11);
      for (const group of byDay.data) assert.match(group.period, /^\d{4}-\d\d-\d\dT00:00:00\.000000Z$/);
      const byHour = await admin(gateway.url, MASTER_KEY, '/admin/usage?group_by=hour');
      for (const group of byHour.data) assert.match(group.period, /T\d\d:00:00\.000000Z$/);
      // A range that ends before the requests holds none of them.
      const before = await admin(gateway.url, MASTER_KEY, '/admin/usage?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z');
      assert.deepEqual(before.data, []);
    });

    it('pages the requests newest first, with filters', async () => {
      const all = await allLedgerRows(gateway.url, MASTER_KEY);
      const seen = [];
      let next = null;
      do {
        const page = await admin(gateway.url, MASTER_KEY, `/admin/requests?limit=3${next ? `&before=${encodeURIComponent(next)}` : ''}`);
        assert.ok(page.data.length <= 3);
        seen.push(...page.data.map((r) => r.request_id));
        next = page.next;
      } while (next);
      assert.deepEqual(seen, all.map((r) => r.request_id));
      const starts = all.map((r) => Date.parse(r.started_at));
      assert.deepEqual(starts, [...starts].sort((a, b) => b - a));
      const beta = await admin(gateway.url, MASTER_KEY, '/admin/requests?model=beta&status=200');
      assert.equal(beta.data.length, 4);
      assert.equal((await admin(gateway.url, MASTER_KEY, '/admin/requests?status=500')).data.length, 0);
    });

    it('CSV says what JSON says', async () => {
      const json = await admin(gateway.url, MASTER_KEY, '/admin/usage?group_by=model');
      const csv = await admin(gateway.url, MASTER_KEY, '/admin/usage?group_by=model&format=csv', { text: true });
      assert.match(csv.headers.get('content-type'), /^text\/csv/);
      const [header, ...lines] = csv.body.trim().split('\r\n');
      const names = header.split(',');
      assert.equal(names[0], 'model');
      assert.equal(lines.length, json.data.length);
      lines.forEach((line, i) => {
        const values = line.split(',');
        const group = json.data[i];
        names.forEach((name, k) => assert.equal(values[k], String(group[name]), name));
      });
      const rows = await admin(gateway.url, MASTER_KEY, '/admin/requests?format=csv&limit=1000', { text: true });
      const rowLines = rows.body.trim().split('\r\n');
      assert.equal(rowLines.length, 12);
      assert.ok(rowLines[0].startsWith('request_id,started_at,key_id,'));
    });

    it('bad parameters are a 400 that names them', async () => {
      for (const [query, param] of [['group_by=weekday', 'group_by'], ['from=yesterday', 'from'], ['format=xml', 'format'],
        ['from=2026-01-02&to=2026-01-01', 'from']]) {
        const res = await client.get(`/admin/usage?${query}`);
        assert.equal(res.status, 400, query);
        assert.equal((await res.json()).error.param, param);
      }
      for (const [query, param] of [['limit=0', 'limit'], ['limit=abc', 'limit'], ['before=nope', 'before'], ['status=x', 'status']]) {
        const res = await client.get(`/admin/requests?${query}`);
        assert.equal(res.status, 400, query);
        assert.equal((await res.json()).error.param, param);
      }
      // The master key only.
      assert.equal((await client.get('/admin/usage', { apiKey: 'sk-wrong' })).status, 401);
    });
  });

  describe(`SIGTERM with 200 requests in flight (${kind})`, () => {
    it('leaves exactly one ledger row per request the clients started', { timeout: 60_000 }, async () => {
      const openai = await startOpenAIMock({ apiKey: UPSTREAM_KEY });
      const backend = await ledgerBackend(kind);
      const gateway = await startGateway({
        config: backend.config(gatewayConfig({ mockUrl: openai.url, server: { shutdown_timeout: '1500ms' }, timeouts: { first_byte: '10s' } })),
        env: backend.env,
      });
      try {
        // Half streams paced slower than the drain allows (cut by the shutdown), half answers that
        // come inside it.
        const ids = [];
        const behaviours = [];
        for (let i = 0; i < 200; ++i) {
          behaviours.push(i % 2 ? { kind: 'slow_stream', interval_ms: 400 } : { kind: 'slow_first_byte', delay_ms: 300 });
        }
        openai.script(behaviours);
        const requests = behaviours.map((_, i) => {
          const id = uniqueId(`sigterm-${i}`);
          ids.push(id);
          return fetch(`${gateway.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json', 'x-request-id': id },
            body: JSON.stringify(chatBody({ stream: i % 2 === 1 })),
          }).then((res) => res.text()).catch(() => null);
        });
        await waitFor(() => openai.requests.length >= 200, { timeoutMs: 15_000, message: 'all 200 requests upstream' });
        gateway.proc.kill('SIGTERM');
        await Promise.all(requests);
        // The one SIGTERM above: the exit after the ledger's drain, not a second signal.
        assert.equal(await gateway.waitForExit(30_000), 0);
        const stored = backend.sql("SELECT request_id FROM ledger WHERE request_id LIKE 'sigterm-%'").split('\n').filter(Boolean);
        assert.equal(stored.length, 200);
        assert.deepEqual(new Set(stored), new Set(ids));
        const cut = Number(backend.sql("SELECT COUNT(*) FROM ledger WHERE stream AND usage_source = 'estimated'"));
        assert.ok(cut > 0, 'streams cut by the shutdown say their usage is estimated');
      } finally {
        await gateway.stop('SIGKILL');
        await openai.close();
      }
    });
  });
}
