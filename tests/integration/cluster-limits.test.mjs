// Two replicas sharing real Redis and PostgreSQL servers the suite starts: limits hold across
// them exactly (rpm, parallel slots, tokens, budgets), a revocation on one is seen by the other
// within a second, a replica killed with SIGKILL frees its slots when its leases run out, Redis
// going away applies the failure policy without hanging anyone, and after thousands of requests
// with aborts and upstream failures every shared counter is back at zero and every key's spend
// equals its ledger rows.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startOpenAIMock } from '../mocks/openai-mock.mjs';
import { MASTER_KEY, gatewayConfig } from '../support/config.mjs';
import { makeTempDir, startGateway } from '../support/gateway.mjs';
import { chatBody, waitFor } from '../support/http.mjs';
import { adminCall, createKey, createTeam } from '../support/keys.mjs';
import { startPostgres, startRedis } from '../support/services.mjs';

const LEASE_TTL_S = 3;  // the default is 30 s; shorter here so the crash test is quick

let mock;
let redis;
let postgres;
let database;
const replicas = [];

function config() {
  return gatewayConfig({
    mockUrl: mock.url,
    models: {
      priced: { deployments: [{ provider: 'up', model: 'gpt-4o-mini', price: { input: '1', output: '1' } }] },
    },
  }) + [
    'storage:',
    `  database: ${JSON.stringify(database)}`,
    `  redis: ${JSON.stringify(redis.url)}`,
    'limits:',
    `  lease_ttl: ${LEASE_TTL_S}s`,
    '',
  ].join('\n');
}

async function startReplica() {
  const gateway = await startGateway({ config: config(), env: { SWITCHYARD_DATA_DIR: makeTempDir() } });
  replicas.push(gateway);
  return gateway;
}

/** One chat request with `secret` on `gateway`; resolves its status (the body read). */
async function chat(gateway, secret, body = chatBody(), { signal } = {}) {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  await res.text().catch(() => {});
  return res.status;
}

/** Opens a stream and resolves once its head arrived; the caller aborts it (or lets it run). */
async function openStream(gateway, secret) {
  const controller = new AbortController();
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(chatBody({ stream: true })),
    signal: controller.signal,
  });
  return { status: res.status, res, abort: () => controller.abort() };
}

const pico = (decimal) => {
  const [whole, fraction = ''] = decimal.split('.');
  return BigInt(whole) * 10n ** 12n + BigInt(fraction.padEnd(12, '0'));
};

/** Every shared in-flight count in Redis: leases held and money reserved, by scope. */
function inFlight() {
  const out = {};
  for (const key of redis.cli('--scan', '--pattern', 'sy:*:leases').split('\n').filter(Boolean)) {
    out[key] = Number(redis.cli('ZCARD', key));
  }
  for (const key of redis.cli('--scan', '--pattern', 'sy:*:reserved').split('\n').filter(Boolean)) {
    out[key] = Number(redis.cli('GET', key));
  }
  return out;
}

before(async () => {
  [mock, redis, postgres] = await Promise.all([startOpenAIMock(), startRedis(), startPostgres()]);
  database = postgres.database();
  await startReplica();
  await startReplica();
});
after(async () => {
  await Promise.all(replicas.map((gateway) => gateway.stop()));
  await Promise.all([mock?.close(), redis?.stop(), postgres?.stop()]);
});

describe('limits shared by two replicas', () => {
  it('admits exactly rpm requests spread over both', async () => {
    const [a, b] = replicas;
    const { key } = await createKey(a.url, { name: 'shared-rpm', rpm: 10 });
    await waitFor(async () => (await chat(b, key)) !== 401, { timeoutMs: 2000, message: 'the key on B' });
    // That request counted: 29 more, alternating, make 30.
    const statuses = [200];
    for (let i = 0; i < 29; i++) statuses.push(await chat(i % 2 ? a : b, key));
    assert.equal(statuses.filter((s) => s === 200).length, 10, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 429).length, 20);
  });

  it('holds max_parallel across both, and frees a slot within a second of a client leaving', async () => {
    const [a, b] = replicas;
    const { key } = await createKey(a.url, { name: 'shared-parallel', max_parallel: 2 });
    await waitFor(async () => (await chat(b, key)) === 200, { timeoutMs: 2000, message: 'the key on B' });
    mock.script([{ kind: 'slow_stream', interval_ms: 500 }, { kind: 'slow_stream', interval_ms: 500 }]);
    const first = await openStream(a, key);
    const second = await openStream(b, key);
    assert.deepEqual([first.status, second.status], [200, 200]);
    assert.equal(await chat(a, key), 429);
    assert.equal(await chat(b, key), 429);
    first.abort();
    const left = Date.now();
    await waitFor(async () => (await chat(b, key)) === 200, { timeoutMs: 1000, intervalMs: 50, message: 'the freed slot on B' });
    assert.ok(Date.now() - left <= 1000);
    second.abort();
  });

  it('settles tokens to what streams really used', async () => {
    const [a, b] = replicas;
    // Each request reserves ~420 tokens of 1,000 and uses 7: kept reservations would refuse the third.
    const { key } = await createKey(a.url, { name: 'shared-tpm', tpm: 1000 });
    await waitFor(async () => (await chat(b, key, chatBody({ max_tokens: 400 }))) === 200, { timeoutMs: 2000, message: 'the key on B' });
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${(i % 2 ? a : b).url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(chatBody({ stream: true, max_tokens: 400 })),
      });
      assert.equal(res.status, 200, `stream ${i}`);
      await res.text();
    }
  });

  it('never lets a budget be exceeded, and spend equals the ledger', async () => {
    const [a, b] = replicas;
    const team = await createTeam(a.url, { name: 'budgeted-team', budget: { usd: '0.01' } });
    const created = await createKey(a.url, { name: 'shared-budget', team: team.id, budget: { usd: '0.0005', period: 'day' } });
    await waitFor(async () => (await chat(b, created.key, chatBody({ model: 'priced', max_tokens: 20 }))) === 200,
      { timeoutMs: 2000, message: 'the key on B' });
    let refused = 0;
    for (let i = 0; i < 200 && refused < 4; i++) {
      const status = await chat(i % 2 ? a : b, created.key, chatBody({ model: 'priced', max_tokens: 20 }));
      if (status === 429) refused += 1;
      else assert.equal(status, 200);
    }
    assert.equal(refused, 4);
    let key;
    await waitFor(async () => {
      key = (await adminCall(b.url, 'GET', `/admin/keys/${created.id}`)).body;
      const ledger = BigInt(postgres.psql(`SELECT COALESCE(SUM(cost_pico), 0) FROM ledger WHERE key_id = '${created.id}'`, database.split('/').pop()));
      return pico(key.spend_usd) === ledger && ledger > 0n;
    }, { timeoutMs: 5000, message: 'the ledger and the spend to agree' });
    assert.ok(pico(key.spend_usd) <= 500_000_000n, `spend ${key.spend_usd} within $0.0005`);
    const teamSpend = (await adminCall(a.url, 'GET', `/admin/teams/${team.id}`)).body.spend_usd;
    assert.equal(pico(teamSpend), pico(key.spend_usd), 'the team spent what its one key spent');
  });

  it('sees a revocation on the other replica within a second', async () => {
    const [a, b] = replicas;
    const created = await createKey(a.url, { name: 'to-revoke-everywhere' });
    await waitFor(async () => (await chat(b, created.key)) === 200, { timeoutMs: 2000, message: 'the key on B' });
    const revoked = await adminCall(a.url, 'DELETE', `/admin/keys/${created.id}`);
    assert.equal(revoked.status, 200);
    const at = Date.now();
    await waitFor(async () => (await chat(b, created.key)) === 401, { timeoutMs: 1000, intervalMs: 20, message: 'a 401 on B' });
    assert.ok(Date.now() - at <= 1000);
  });

  it('frees the slots of a replica killed with SIGKILL once its leases run out', async () => {
    const [a] = replicas;
    const doomed = await startReplica();
    const { key } = await createKey(a.url, { name: 'crash-parallel', max_parallel: 2 });
    await waitFor(async () => (await chat(doomed, key)) === 200, { timeoutMs: 2000, message: 'the key on the doomed replica' });
    mock.script([{ kind: 'slow_stream', interval_ms: 2000 }, { kind: 'slow_stream', interval_ms: 2000 }]);
    const streams = await Promise.all([openStream(doomed, key), openStream(doomed, key)]);
    assert.deepEqual(streams.map((s) => s.status), [200, 200]);
    assert.equal(await chat(a, key), 429);
    doomed.proc.kill('SIGKILL');
    const killed = Date.now();
    streams.forEach((s) => s.abort());
    await waitFor(async () => (await chat(a, key)) === 200, { timeoutMs: (LEASE_TTL_S + 2) * 1000, intervalMs: 100, message: 'the dead replica\'s slots' });
    assert.ok(Date.now() - killed <= (LEASE_TTL_S + 1) * 1000, `freed after ${Date.now() - killed} ms`);
    replicas.splice(replicas.indexOf(doomed), 1);
  });

  it('applies fail_closed while Redis is down, hangs no one, and is exact again once it is back', async () => {
    const [a, b] = replicas;
    const limited = (await createKey(a.url, { name: 'limited-during-outage', rpm: 1000 })).key;
    const unlimited = (await createKey(a.url, { name: 'unlimited-during-outage' })).key;
    await waitFor(async () => (await chat(b, limited)) === 200 && (await chat(b, unlimited)) === 200, { timeoutMs: 2000, message: 'the keys on B' });
    await redis.stop();
    const started = Date.now();
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => chat(i % 2 ? a : b, i % 4 < 2 ? limited : unlimited)));
    assert.ok(Date.now() - started < 3000, 'no request waited on the dead Redis');
    for (let i = 0; i < 20; i++) assert.equal(statuses[i], i % 4 < 2 ? 503 : 200, `request ${i}`);
    const master = await chat(a, MASTER_KEY);
    assert.equal(master, 200, 'the master key works without Redis');
    await redis.start();
    await waitFor(async () => (await chat(a, limited)) === 200 && (await chat(b, limited)) === 200,
      { timeoutMs: 5000, intervalMs: 100, message: 'limits back with Redis' });
    const { key } = await createKey(a.url, { name: 'exact-after-outage', rpm: 3 });
    await waitFor(async () => (await chat(b, key)) !== 401, { timeoutMs: 2000, message: 'the key on B' });
    const statusesAfter = [200];
    for (let i = 0; i < 5; i++) statusesAfter.push(await chat(i % 2 ? a : b, key));
    assert.equal(statusesAfter.filter((s) => s === 200).length, 3, statusesAfter.join(','));
  });
});

describe('after many requests with aborts and failures', () => {
  it('leaves every shared in-flight count at zero and every spend equal to the ledger', async () => {
    const [a, b] = replicas;
    const team = await createTeam(a.url, { name: 'load-team', max_parallel: 64, budget: { usd: '100' } });
    const keys = [];
    for (let i = 0; i < 4; i++) {
      keys.push(await createKey(a.url, { name: `load-${i}`, team: team.id, max_parallel: 16, tpm: 10_000_000, budget: { usd: '10', period: 'day' } }));
    }
    await waitFor(async () => (await chat(b, keys[3].key, chatBody({ model: 'priced', max_tokens: 5 }))) === 200, { timeoutMs: 2000, message: 'the keys on B' });
    // 10,000 here; the sanitizer build's run (several times slower) asks for fewer.
    const total = Number(process.env.SWITCHYARD_LOAD_REQUESTS ?? 10_000);
    let next = 0;
    let aborted = 0;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        const key = keys[i % keys.length].key;
        const gateway = i % 2 ? a : b;
        const stream = i % 3 === 0;
        if (i % 17 === 0) mock.script([{ kind: 'status', status: 500 }]);
        if (i % 23 === 0) mock.script([{ kind: 'truncate', after_chunks: 1 }]);
        const controller = new AbortController();
        const abort = i % 11 === 0;
        if (abort) setTimeout(() => controller.abort(), i % 5);
        try {
          await chat(gateway, key, chatBody({ model: 'priced', max_tokens: 5, stream }), { signal: controller.signal });
        } catch {
          aborted += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: 24 }, worker));
    assert.ok(aborted > 0, 'some clients left early');
    await waitFor(() => Object.values(inFlight()).every((count) => count === 0),
      { timeoutMs: 5000, intervalMs: 100, message: `in-flight counts at zero: ${JSON.stringify(inFlight())}` });
    const db = database.split('/').pop();
    await waitFor(async () => {
      for (const { id } of keys) {
        const spend = pico((await adminCall(a.url, 'GET', `/admin/keys/${id}`)).body.spend_usd);
        const ledger = BigInt(postgres.psql(`SELECT COALESCE(SUM(cost_pico), 0) FROM ledger WHERE key_id = '${id}'`, db));
        if (spend !== ledger) return false;
      }
      const teamSpend = pico((await adminCall(b.url, 'GET', `/admin/teams/${team.id}`)).body.spend_usd);
      return teamSpend === BigInt(postgres.psql(`SELECT COALESCE(SUM(cost_pico), 0) FROM ledger WHERE team_id = '${team.id}'`, db));
    }, { timeoutMs: 10_000, intervalMs: 200, message: 'every spend to equal its ledger rows' });
  });
});
