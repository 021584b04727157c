// The ledger's database goes away under load: PostgreSQL is stopped for 10 s while requests keep
// coming. No request fails or slows beyond noise (the request path never waits on the database),
// the rows go to the spool meanwhile, and once the server is back every row arrives exactly once.

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { startOpenAIMock } from '../mocks/openai-mock.mjs';
import { MASTER_KEY, UPSTREAM_KEY, gatewayConfig } from '../support/config.mjs';
import { startGateway } from '../support/gateway.mjs';
import { chatBody, uniqueId, waitFor } from '../support/http.mjs';
import { startPostgres } from '../support/services.mjs';

const OUTAGE_MS = 10_000;
const WORKERS = 4;
const PAUSE_MS = 20;  // between one worker's requests: a steady, bounded load

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
};

const metric = (text, name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);

describe('the ledger database stops for 10 s during a load', () => {
  let postgres;
  let openai;
  let gateway;
  let database;

  before(async () => {
    postgres = await startPostgres();
    const url = postgres.database();
    database = url.slice(url.lastIndexOf('/') + 1);
    openai = await startOpenAIMock({ apiKey: UPSTREAM_KEY });
    gateway = await startGateway({ config: `${gatewayConfig({ mockUrl: openai.url })}\nstorage:\n  database: ${JSON.stringify(url)}\n` });
  });

  after(async () => {
    await gateway?.stop('SIGKILL');
    await openai?.close();
    await postgres?.stop();
  });

  it('no request fails or slows, the spool grows, and every row arrives exactly once', { timeout: 90_000 }, async () => {
    const sent = [];  // {id, phase, ms, status}
    let phase = 'before';
    let running = true;
    const worker = async () => {
      while (running) {
        const id = uniqueId('outage');
        const start = performance.now();
        const res = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json', 'x-request-id': id },
          body: JSON.stringify(chatBody()),
        });
        await res.text();
        sent.push({ id, phase, ms: performance.now() - start, status: res.status });
        await sleep(PAUSE_MS);
      }
    };
    const load = Array.from({ length: WORKERS }, worker);
    const metrics = async () => (await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${MASTER_KEY}` } })).text();

    await sleep(4000);
    phase = 'outage';
    await postgres.stop();
    await sleep(OUTAGE_MS - 1000);
    const during = await metrics();
    phase = 'after';
    await postgres.start();
    await sleep(3000);
    running = false;
    await Promise.all(load);

    assert.deepEqual(sent.filter((r) => r.status !== 200), [], 'every request answered 200');
    const latencies = (which) => sent.filter((r) => r.phase === which).map((r) => r.ms);
    const before = latencies('before');
    const outage = latencies('outage');
    assert.ok(before.length > 100 && outage.length > 100, `load: ${before.length} before, ${outage.length} during`);
    // Beyond noise: the outage's median and p95 stay within what the same load shows without it
    // (a 2-core machine under test is noisy; a request that waited on the database would take
    // seconds, the connect timeout, not milliseconds).
    const [p50Before, p95Before, p50Outage, p95Outage] = [percentile(before, 0.5), percentile(before, 0.95),
      percentile(outage, 0.5), percentile(outage, 0.95)];
    assert.ok(p50Outage <= 2 * p50Before + 5, `median ${p50Outage.toFixed(2)} ms during, ${p50Before.toFixed(2)} ms before`);
    assert.ok(p95Outage <= 3 * p95Before + 20, `p95 ${p95Outage.toFixed(2)} ms during, ${p95Before.toFixed(2)} ms before`);

    assert.equal(metric(during, 'switchyard_ledger_database_up'), 0);
    assert.ok(metric(during, 'switchyard_ledger_rows_spooled_total') > 50, 'rows went to the spool during the outage');

    // Every request exactly once, once the spool is replayed.
    await waitFor(() => Number(postgres.psql('SELECT COUNT(*) FROM ledger', database)) >= sent.length,
      { timeoutMs: 20_000, intervalMs: 250, message: `${sent.length} rows in PostgreSQL` }).catch((err) => {
        throw new Error(`${err.message}: ${postgres.psql('SELECT COUNT(*) FROM ledger', database)} there; gateway log:\n${gateway.logs().split('\n').filter((l) => !l.includes(' request ')).slice(-20).join('\n')}`);
      });
    const ids = postgres.psql('SELECT request_id FROM ledger', database).split('\n');
    assert.equal(ids.length, sent.length);
    assert.deepEqual(new Set(ids), new Set(sent.map((r) => r.id)));
    const afterwards = await metrics();
    assert.equal(metric(afterwards, 'switchyard_ledger_database_up'), 1);
    assert.equal(metric(afterwards, 'switchyard_ledger_rows_dropped_total'), 0);
    assert.equal(metric(afterwards, 'switchyard_ledger_rows_written_total') + metric(afterwards, 'switchyard_ledger_rows_replayed_total'),
      sent.length);
  });
});
