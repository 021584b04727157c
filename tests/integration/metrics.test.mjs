// /metrics: passes promtool, is scraped by a real Prometheus server, its counters agree with
// the ledger after a known load, and 10,000 requests naming random models, random
// PROVIDER/MODEL strings and carrying random headers add no series.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';

import { startOpenAIMock } from '../mocks/openai-mock.mjs';
import { MASTER_KEY, UPSTREAM_KEY, gatewayConfig } from '../support/config.mjs';
import { startGateway } from '../support/gateway.mjs';
import { chatBody, gatewayClient, waitFor } from '../support/http.mjs';
import { allLedgerRows, usd } from '../support/ledger.mjs';
import { startPrometheus } from '../support/services.mjs';

/** The samples of a text exposition: [{name, labels, value}]. */
function samples(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `not a sample line: ${line}`);
    const labels = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value;
    out.push({ name: match[1], labels, value: Number(match[3]), raw: match[3] });
  }
  return out;
}

const sum = (list, name, where = () => true) =>
  list.filter((s) => s.name === name && where(s.labels)).reduce((total, s) => total + s.value, 0);

describe('metrics', () => {
  let openai;
  let gateway;
  let client;
  const scrape = async () => (await client.get('/metrics')).text();

  before(async () => {
    openai = await startOpenAIMock({ apiKey: UPSTREAM_KEY });
    gateway = await startGateway({
      config: gatewayConfig({
        mockUrl: openai.url,
        models: {
          priced: { deployments: [{ provider: 'up', model: 'gpt-4o-mini' }] },
          failover: { cooldown: { failures: 0 }, deployments: [{ provider: 'up', model: 'gpt-4.1' }, { provider: 'up', model: 'gpt-4o' }] },
        },
      }),
    });
    client = gatewayClient(gateway.url, { apiKey: MASTER_KEY });
  });

  after(async () => {
    await gateway?.stop('SIGKILL');
    await openai?.close();
  });

  it('after a known load, the counters say what the ledger says', async () => {
    // 12 answers (a third streamed, with cached and reasoning tokens), 3 answered after a
    // failover from a 500, 2 unknown models.
    for (let i = 0; i < 12; ++i) {
      openai.script([{ kind: 'normal', cached_tokens: 2, reasoning_tokens: 1 }]);
      const res = await client.chat(chatBody({ model: 'priced', stream: i % 3 === 0, stream_options: i % 3 === 0 ? { include_usage: true } : undefined }));
      assert.equal(res.status, 200);
      await res.text();
    }
    for (let i = 0; i < 3; ++i) {
      openai.script([{ kind: 'status', status: 500 }]);
      const res = await client.chat(chatBody({ model: 'failover' }));
      assert.equal(res.status, 200);
      await res.text();
    }
    for (let i = 0; i < 2; ++i) await (await client.chat(chatBody({ model: `missing-${i}` }))).text();
    const rows = await waitFor(async () => {
      const all = await allLedgerRows(gateway.url, MASTER_KEY);
      return all.length === 17 && all;
    }, { message: '17 ledger rows' });

    const text = await scrape();
    execFileSync('promtool', ['check', 'metrics'], { input: text });
    const list = samples(text);
    assert.equal(sum(list, 'switchyard_requests_total'), rows.length);
    assert.equal(sum(list, 'switchyard_requests_total', (l) => l.model === 'priced' && l.status_class === '2xx'), 12);
    assert.equal(sum(list, 'switchyard_requests_total', (l) => l.model === 'unknown' && l.status_class === '4xx'), 2);
    const ledgerSum = (field) => rows.reduce((total, r) => total + r[field], 0);
    for (const [type, field] of [['input', 'input_tokens'], ['output', 'output_tokens'], ['cache_read', 'cache_read_tokens'],
      ['cache_write', 'cache_write_tokens'], ['reasoning', 'reasoning_tokens']]) {
      assert.equal(sum(list, 'switchyard_tokens_total', (l) => l.type === type), ledgerSum(field), type);
    }
    assert.ok(ledgerSum('cache_read_tokens') > 0 && ledgerSum('reasoning_tokens') > 0);
    // Cost: exactly the ledger's, digit for digit.
    const pico = rows.reduce((total, r) => total + (r.cost_usd ? BigInt(r.cost_usd.replace('.', '')) : 0n), 0n);
    const exposed = list.filter((s) => s.name === 'switchyard_cost_usd_total')
      .reduce((total, s) => total + BigInt(s.raw.replace('.', '')), 0n);
    assert.equal(usd(exposed), usd(pico));
    assert.equal(sum(list, 'switchyard_upstream_failures_total', (l) => l.provider === 'up' && l.kind === 'http_500'), 3);
    assert.equal(sum(list, 'switchyard_retries_total', (l) => l.model === 'failover'), 3);
    assert.equal(sum(list, 'switchyard_request_duration_seconds_count'), rows.length);
    assert.equal(sum(list, 'switchyard_time_to_first_token_seconds_count'), 4);
    assert.equal(sum(list, 'gen_ai_client_operation_duration_seconds_count', (l) => l.gen_ai_request_model === 'priced'
      && l.gen_ai_provider_name === 'openai' && l.gen_ai_operation_name === 'chat' && l.gen_ai_response_model === 'gpt-4o-mini'), 12);
    assert.equal(sum(list, 'gen_ai_client_token_usage_sum', (l) => l.gen_ai_token_type === 'input'), ledgerSum('input_tokens'));
    assert.equal(sum(list, 'switchyard_inflight_requests'), 1);  // the scrape itself
    assert.equal(sum(list, 'switchyard_open_streams'), 0);
    assert.equal(sum(list, 'switchyard_ledger_rows_dropped_total'), 0);
    assert.equal(sum(list, 'switchyard_ledger_rows_written_total'), rows.length);
    assert.equal(sum(list, 'switchyard_ledger_database_up'), 1);
  });

  it('10,000 requests naming random models and PROVIDER/MODEL strings, with random headers, add no series', { timeout: 120_000 }, async () => {
    const random = () => Math.random().toString(36).slice(2, 10);
    const send = async (model) => {
      const res = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json', [`x-${random()}`]: random(), 'x-request-id': random() },
        body: JSON.stringify(chatBody({ model })),
      });
      await res.arrayBuffer();
    };
    const kinds = [() => `model-${random()}`, () => `up/gpt-4o-${random()}`, () => `${random()}/${random()}`, () => `up/${random()}`];
    // Each kind once, so the series they fall into exist before counting.
    for (const kind of kinds) await send(kind());
    const before = samples(await scrape()).map((s) => `${s.name}${JSON.stringify(s.labels)}`);
    let sent = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (sent < 10_000) {
        sent += 1;
        await send(kinds[sent % kinds.length]());
      }
    }));
    const afterList = samples(await scrape());
    const afterSeries = afterList.map((s) => `${s.name}${JSON.stringify(s.labels)}`);
    assert.deepEqual(afterSeries.filter((s) => !before.includes(s)), []);
    assert.equal(afterSeries.length, before.length);
    assert.ok(sum(afterList, 'switchyard_requests_total') >= 10_000);
  });

  it('a real Prometheus server scrapes it', { timeout: 60_000 }, async () => {
    const prometheus = await startPrometheus({ targets: [`127.0.0.1:${gateway.port}`] });
    try {
      const up = await waitFor(async () => {
        const result = await prometheus.query('up{job="switchyard"}');
        return result.length === 1 && result[0].value[1] === '1' && result;
      }, { timeoutMs: 20_000, intervalMs: 250, message: 'the target to be up' });
      assert.equal(up[0].metric.instance, `127.0.0.1:${gateway.port}`);
      const exposed = samples(await scrape());
      const total = await waitFor(async () => {
        const result = await prometheus.query('sum(switchyard_requests_total{model="priced"})');
        return result.length === 1 && result;
      }, { timeoutMs: 10_000, intervalMs: 250, message: 'the requests counter in Prometheus' });
      assert.equal(Number(total[0].value[1]), sum(exposed, 'switchyard_requests_total', (l) => l.model === 'priced'));
      const buckets = await prometheus.query('sum(switchyard_request_duration_seconds_bucket{le="+Inf"})');
      assert.ok(Number(buckets[0].value[1]) > 0);
    } finally {
      await prometheus.stop();
    }
  });
});
