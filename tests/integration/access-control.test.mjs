// Virtual keys, teams, model access, rate limits and budgets on one gateway (the embedded SQLite
// store and the in-process limiter): every verb of the keys API with its validation errors, the
// refusals each dialect's clients get (401, 403, 429 with the headers their SDKs act on), parallel
// slots that come back when a client leaves, spend that equals the ledger, and secrets that appear
// nowhere but in the one answer that issued them.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startOpenAIMock } from '../mocks/openai-mock.mjs';
import { MASTER_KEY, gatewayConfig } from '../support/config.mjs';
import { makeTempDir, startGateway } from '../support/gateway.mjs';
import { chatBody, gatewayClient, waitFor } from '../support/http.mjs';
import { adminCall, createKey, createTeam } from '../support/keys.mjs';
import { allLedgerRows } from '../support/ledger.mjs';

let mock;
let gateway;
let dataDir;
const secrets = [];  // every secret the tests were given, to look for everywhere afterwards
const answers = [];  // the text of every admin answer

const CONFIG_KEY = 'sk-config-declared-key-0123456789';

function config() {
  return gatewayConfig({
    mockUrl: mock.url,
    models: {
      slow: { deployments: [{ provider: 'up', model: 'gpt-4o' }] },
      // $1 per million tokens in and out: a request costs micro-dollars, exactly.
      priced: { deployments: [{ provider: 'up', model: 'gpt-4o-mini', price: { input: '1', output: '1' } }] },
      unpriced: { deployments: [{ provider: 'up', model: 'gpt-4-acme-private' }] },
    },
  }) + `keys:\n  - name: ci\n    key: \${CI_KEY}\n    models: [fast]\n    rpm: 1000\n`;
}

async function call(method, pathname, body, options) {
  const res = await adminCall(gateway.url, method, pathname, body, options);
  answers.push(res.text);
  if (res.body?.key) secrets.push(res.body.key);
  return res;
}

async function newKey(fields) {
  const key = await createKey(gateway.url, fields);
  secrets.push(key.key);
  answers.push(JSON.stringify(key));
  return key;
}

const client = (secret) => gatewayClient(gateway.url, { apiKey: secret });

before(async () => {
  mock = await startOpenAIMock();
  dataDir = makeTempDir();
  gateway = await startGateway({ config: config(), env: { SWITCHYARD_DATA_DIR: dataDir, CI_KEY: CONFIG_KEY } });
  secrets.push(CONFIG_KEY);
});
after(async () => {
  await gateway?.stop();
  await mock?.close();
});

describe('the keys API', () => {
  it('creates a key whose secret is shown once, with the fields it was given', async () => {
    const res = await call('POST', '/admin/keys', {
      name: 'app', models: ['fast'], rpm: 100, tpm: 100000, max_parallel: 4,
      budget: { usd: '12.50', period: 'month' }, expires_at: '2099-01-01T00:00:00Z', metadata: { owner: 'web' },
    });
    assert.equal(res.status, 201, res.text);
    const key = res.body;
    assert.match(key.key, /^sk-sy-[A-Za-z0-9_-]{43}$/);
    assert.match(key.id, /^key_[0-9a-f]{16}$/);
    assert.equal(key.key_prefix, key.key.slice(0, 10));
    assert.deepEqual(
      [key.name, key.models, key.rpm, key.tpm, key.max_parallel, key.budget, key.expires_at, key.metadata, key.revoked, key.team],
      ['app', ['fast'], 100, 100000, 4, { usd: '12.5', period: 'month' }, '2099-01-01T00:00:00.000000Z', { owner: 'web' }, false, null]);
    assert.equal(key.spend_usd, '0');
    assert.match(key.budget_resets_at, /^\d{4}-\d\d-01T00:00:00/);
    assert.match(key.created_at, /^\d{4}-/);
    assert.equal(key.last_used_at, null);

    const shown = await call('GET', `/admin/keys/${key.id}`);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.key, undefined, 'the secret is never shown again');
    assert.equal(shown.text.includes(key.key), false);
    const listed = await call('GET', '/admin/keys');
    assert.ok(listed.body.data.some((k) => k.id === key.id));
    assert.equal(listed.text.includes(key.key), false);
  });

  it('accepts a budget in dollars as a number, exactly', async () => {
    const key = await newKey({ name: 'numeric', budget: { usd: 0.05, period: 'day' } });
    assert.deepEqual(key.budget, { usd: '0.05', period: 'day' });
  });

  it('names the field of every invalid request', async () => {
    const cases = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'x', rpm: -1 }, 'rpm'],
      [{ name: 'x', tpm: 1.5 }, 'tpm'],
      [{ name: 'x', max_parallel: 'two' }, 'max_parallel'],
      [{ name: 'x', budget: { usd: 'lots' } }, 'budget.usd'],
      [{ name: 'x', budget: { usd: -1 } }, 'budget.usd'],
      [{ name: 'x', budget: { usd: 1, period: 'year' } }, 'budget.period'],
      [{ name: 'x', budget: { usd: 1, cap: 2 } }, 'budget.cap'],
      [{ name: 'x', models: ['no-such-alias'] }, 'models'],
      [{ name: 'x', models: 'fast' }, 'models'],
      [{ name: 'x', team: 'team_missing' }, 'team'],
      [{ name: 'x', expires_at: 'tomorrow' }, 'expires_at'],
      [{ name: 'x', metadata: [1] }, 'metadata'],
      [{ name: 'x', colour: 'blue' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await call('POST', '/admin/keys', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.equal(res.body.error.param, field, JSON.stringify(body));
    }
    const notJson = await call('POST', '/admin/keys', 'not json');
    assert.equal(notJson.status, 400);
    const teamField = await call('POST', '/admin/teams', { name: 't', expires_at: '2099-01-01T00:00:00Z' });
    assert.equal(teamField.status, 400);
    assert.equal(teamField.body.error.param, 'expires_at');
  });

  it('answers 404 for unknown ids and 405 for verbs it does not take', async () => {
    for (const [method, pathname] of [['GET', '/admin/keys/key_nope'], ['PATCH', '/admin/keys/key_nope'],
      ['DELETE', '/admin/keys/key_nope'], ['POST', '/admin/keys/key_nope/rotate'], ['GET', '/admin/teams/team_nope'],
      ['PATCH', '/admin/teams/team_nope'], ['DELETE', '/admin/teams/team_nope']]) {
      const res = await call(method, pathname, method === 'PATCH' ? { rpm: 1 } : undefined);
      assert.equal(res.status, 404, `${method} ${pathname}: ${res.text}`);
    }
    assert.equal((await call('PUT', '/admin/keys')).status, 405);
    assert.equal((await call('GET', '/admin/teams/x/rotate')).status, 404);
  });

  it('refuses the admin API to a virtual key', async () => {
    const key = await newKey({ name: 'not-admin' });
    for (const pathname of ['/admin/keys', '/admin/teams', '/admin/usage', '/admin/config']) {
      const res = await call('GET', pathname, undefined, { key: key.key });
      assert.equal(res.status, 403, pathname);
    }
    const create = await call('POST', '/admin/keys', { name: 'escalate' }, { key: key.key });
    assert.equal(create.status, 403);
  });

  it('changes limits with PATCH and clears them with null', async () => {
    const key = await newKey({ name: 'patched', rpm: 5, budget: { usd: 1 } });
    const res = await call('PATCH', `/admin/keys/${key.id}`, { rpm: null, tpm: 500, models: ['fast', 'up/*'], budget: null });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.body.rpm, res.body.tpm, res.body.models, res.body.budget, res.body.name], [null, 500, ['fast', 'up/*'], null, 'patched']);
    const bad = await call('PATCH', `/admin/keys/${key.id}`, { rpm: 0 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.param, 'rpm');
  });

  it('revokes a key at once and keeps it listed', async () => {
    const key = await newKey({ name: 'to-revoke' });
    assert.equal((await client(key.key).chat(chatBody())).status, 200);
    const res = await call('DELETE', `/admin/keys/${key.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.revoked, true);
    const refused = await client(key.key).chat(chatBody());
    assert.equal(refused.status, 401);
    const listed = await call('GET', `/admin/keys/${key.id}`);
    assert.equal(listed.body.revoked, true);
    assert.notEqual(listed.body.last_used_at, null);
  });

  it('rotates a secret, the old one working only through its grace period', async () => {
    const key = await newKey({ name: 'rotating' });
    const rotated = await call('POST', `/admin/keys/${key.id}/rotate`, {});
    assert.equal(rotated.status, 200, rotated.text);
    assert.notEqual(rotated.body.key, key.key);
    assert.equal(rotated.body.key_prefix, rotated.body.key.slice(0, 10));
    assert.equal((await client(key.key).chat(chatBody())).status, 401, 'no grace: the old secret stops at once');
    assert.equal((await client(rotated.body.key).chat(chatBody())).status, 200);

    const graced = await call('POST', `/admin/keys/${key.id}/rotate`, { grace_period: '30s' });
    assert.equal(graced.status, 200);
    assert.equal((await client(rotated.body.key).chat(chatBody())).status, 200, 'within its grace period');
    assert.equal((await client(graced.body.key).chat(chatBody())).status, 200);
    const badGrace = await call('POST', `/admin/keys/${key.id}/rotate`, { grace_period: 'soon' });
    assert.equal(badGrace.status, 400);
    assert.equal(badGrace.body.error.param, 'grace_period');
  });

  it('lists the configuration file\'s keys read-only', async () => {
    const listed = await call('GET', '/admin/keys');
    const declared = listed.body.data.find((k) => k.name === 'ci');
    assert.equal(declared.source, 'config');
    assert.equal(declared.key_prefix, CONFIG_KEY.slice(0, 10));
    for (const [method, suffix, body] of [['PATCH', '', { rpm: 1 }], ['DELETE', '', undefined], ['POST', '/rotate', {}]]) {
      const res = await call(method, `/admin/keys/${declared.id}${suffix}`, body);
      assert.equal(res.status, 409, `${method}: ${res.text}`);
    }
    assert.equal((await client(CONFIG_KEY).chat(chatBody())).status, 200);
    assert.equal((await client(CONFIG_KEY).chat(chatBody({ model: 'slow' }))).status, 403);
  });

  it('keeps keys and teams across a restart', async () => {
    const team = await createTeam(gateway.url, { name: 'survivors', rpm: 50 });
    const key = await newKey({ name: 'durable', team: team.id, models: ['fast'] });
    await gateway.stop();
    gateway = await startGateway({ config: config(), env: { SWITCHYARD_DATA_DIR: dataDir, CI_KEY: CONFIG_KEY } });
    assert.equal((await client(key.key).chat(chatBody())).status, 200);
    const shown = await call('GET', `/admin/keys/${key.id}`);
    assert.equal(shown.body.team, team.id);
    assert.equal((await call('GET', `/admin/teams/${team.id}`)).body.rpm, 50);
  });
});

describe('model access', () => {
  it('refuses a model the key may not use with a 403 naming it, in each dialect', async () => {
    const key = await newKey({ name: 'fast-only', models: ['fast'] });
    const chat = await client(key.key).chat(chatBody({ model: 'slow' }));
    assert.equal(chat.status, 403);
    const body = await chat.json();
    assert.equal(body.error.type, 'permission_error');
    assert.match(body.error.message, /'slow'/);
    const direct = await client(key.key).chat(chatBody({ model: 'up/gpt-4o' }));
    assert.equal(direct.status, 403, 'PROVIDER/MODEL needs PROVIDER/* in the list');
    const messages = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'slow', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(messages.status, 403);
    assert.equal((await messages.json()).error.type, 'permission_error');
    const gemini = await fetch(`${gateway.url}/v1beta/models/slow:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': key.key, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    assert.equal(gemini.status, 403);
    assert.equal((await gemini.json()).error.status, 'PERMISSION_DENIED');
    const queryKey = await fetch(`${gateway.url}/v1beta/models/fast:generateContent?key=${key.key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    assert.equal(queryKey.status, 200);
    assert.equal((await client(key.key).chat(chatBody({ models: ['fast', 'slow'] }))).status, 403, 'fallbacks are checked too');
  });

  it('allows PROVIDER/MODEL under PROVIDER/*', async () => {
    const key = await newKey({ name: 'direct', models: ['up/*'] });
    assert.equal((await client(key.key).chat(chatBody({ model: 'up/gpt-4o' }))).status, 200);
    assert.equal((await client(key.key).chat(chatBody({ model: 'fast' }))).status, 403);
  });

  it('lists only the models a key may use, in every dialect\'s list', async () => {
    const key = await newKey({ name: 'lister', models: ['fast', 'priced'] });
    const openai = await (await client(key.key).get('/v1/models')).json();
    assert.deepEqual(openai.data.map((m) => m.id).sort(), ['fast', 'priced']);
    const anthropic = await (await fetch(`${gateway.url}/v1/models`, { headers: { 'x-api-key': key.key, 'anthropic-version': '2023-06-01' } })).json();
    assert.deepEqual(anthropic.data.map((m) => m.id).sort(), ['fast', 'priced']);
    const gemini = await (await fetch(`${gateway.url}/v1beta/models`, { headers: { 'x-goog-api-key': key.key } })).json();
    assert.deepEqual(gemini.models.map((m) => m.name).sort(), ['models/fast', 'models/priced']);
    const master = await (await client(MASTER_KEY).get('/v1/models')).json();
    assert.ok(master.data.length > 2);
  });

  it('applies the team\'s model list on top of the key\'s', async () => {
    const team = await createTeam(gateway.url, { name: 'narrow', models: ['fast'] });
    const key = await newKey({ name: 'in-team', team: team.id });
    assert.equal((await client(key.key).chat(chatBody())).status, 200);
    assert.equal((await client(key.key).chat(chatBody({ model: 'slow' }))).status, 403);
    await call('DELETE', `/admin/teams/${team.id}`);
    assert.equal((await client(key.key).chat(chatBody())).status, 401, 'a revoked team\'s keys stop working');
  });

  it('refuses a body that names the model twice, in every dialect', async () => {
    const key = await newKey({ name: 'dupes', models: ['fast'] });
    const chat = await client(key.key).chat('{"model":"fast","messages":[{"role":"user","content":"hi"}],"model":"slow"}');
    assert.equal(chat.status, 400);
    assert.equal((await chat.json()).error.param, 'model');
    const post = (pathname, headers, body) => fetch(gateway.url + pathname, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body,
    });
    const responses = await post('/v1/responses', { authorization: `Bearer ${key.key}` }, '{"model":"fast","input":"hi","model":"slow"}');
    assert.equal(responses.status, 400);
    const messages = await post('/v1/messages', { 'x-api-key': key.key, 'anthropic-version': '2023-06-01' },
      '{"model":"fast","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"model":"slow"}');
    assert.equal(messages.status, 400);
    const embeddings = await post('/v1/embeddings', { authorization: `Bearer ${key.key}` }, '{"model":"fast","input":"hi","model":"slow"}');
    assert.equal(embeddings.status, 400);
  });
});

describe('rate limits', () => {
  it('admits exactly rpm requests, counts them down in OpenAI\'s headers, then says when to come back', async () => {
    const key = await newKey({ name: 'rpm3', rpm: 3 });
    const remaining = [];
    for (let i = 0; i < 3; i++) {
      const res = await client(key.key).chat(chatBody());
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-ratelimit-limit-requests'), '3');
      assert.match(res.headers.get('x-ratelimit-reset-requests'), /^\d+(\.\d+)?s$|^\d+ms$/);
      assert.equal(res.headers.get('x-ratelimit-limit-tokens'), null, 'no token limit: no token headers');
      remaining.push(res.headers.get('x-ratelimit-remaining-requests'));
    }
    assert.deepEqual(remaining, ['2', '1', '0']);
    const refused = await client(key.key).chat(chatBody());
    assert.equal(refused.status, 429);
    const ms = Number(refused.headers.get('retry-after-ms'));
    assert.ok(ms > 19_000 && ms <= 20_000, `retry-after-ms ${ms}: one request's interval, 60 s / 3`);
    assert.equal(refused.headers.get('retry-after'), String(Math.ceil(ms / 1000)));
    assert.equal(refused.headers.get('x-ratelimit-remaining-requests'), '0');
    const body = await refused.json();
    assert.equal(body.error.type, 'rate_limit_error');
    assert.equal(body.error.code, 'rate_limit_exceeded');
    assert.equal(refused.headers.get('x-should-retry'), null);
  });

  it('reports the key\'s own limits, never the provider account\'s', async () => {
    const key = await newKey({ name: 'own-headers', rpm: 50 });
    mock.script([{ kind: 'status', status: 400, headers: { 'x-ratelimit-limit-requests': '12345' } }]);
    const refused = await client(key.key).chat(chatBody());
    assert.equal(refused.status, 400);
    assert.equal(refused.headers.get('x-ratelimit-limit-requests'), '50');
    await refused.text();
    const master = await client(MASTER_KEY).chat(chatBody());
    assert.equal(master.headers.get('x-ratelimit-limit-requests'), null, 'the master key has no limits to report');
  });

  it('gives Anthropic clients anthropic-ratelimit-* headers too, on streams as well', async () => {
    const key = await newKey({ name: 'anthropic-headers', rpm: 10, tpm: 100000 });
    const res = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fast', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.status, 200);
    await res.text();
    assert.equal(res.headers.get('anthropic-ratelimit-requests-limit'), '10');
    assert.equal(res.headers.get('anthropic-ratelimit-requests-remaining'), '9');
    assert.match(res.headers.get('anthropic-ratelimit-requests-reset'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(res.headers.get('anthropic-ratelimit-tokens-limit'), '100000');
    assert.equal(res.headers.get('x-ratelimit-limit-tokens'), '100000');
  });

  it('settles tokens to what was used: a key at its token limit recovers its unused reservation', async () => {
    // max_tokens 400 reserves ~420 tokens of a 1,000 tpm; each request uses about 20.
    const key = await newKey({ name: 'tpm', tpm: 1000 });
    for (let i = 0; i < 6; i++) {
      const res = await client(key.key).chat(chatBody({ max_tokens: 400 }));
      assert.equal(res.status, 200, `request ${i}: reserved and settled, not kept`);
      await res.text();
    }
    const huge = await client(key.key).chat(chatBody({ max_tokens: 5000 }));
    assert.equal(huge.status, 429);
    assert.equal(huge.headers.get('x-should-retry'), 'false', 'it can never fit');
  });

  it('holds parallel slots while streams run and frees one within a second of its client leaving', async () => {
    const key = await newKey({ name: 'parallel', max_parallel: 2 });
    mock.script([{ kind: 'slow_stream', interval_ms: 400 }, { kind: 'slow_stream', interval_ms: 400 }]);
    const controllers = [new AbortController(), new AbortController()];
    const streams = await Promise.all(controllers.map((controller) => fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(chatBody({ stream: true })),
      signal: controller.signal,
    })));
    assert.deepEqual(streams.map((s) => s.status), [200, 200]);
    const third = await client(key.key).chat(chatBody());
    assert.equal(third.status, 429);
    assert.equal(third.headers.get('retry-after'), '1');
    controllers[0].abort();
    const left = Date.now();
    await waitFor(async () => (await client(key.key).chat(chatBody())).status === 200, { timeoutMs: 1000, intervalMs: 50, message: 'a freed slot' });
    assert.ok(Date.now() - left <= 1000);
    controllers[1].abort();
  });

  it('makes a key in a team fit the team\'s limits as well as its own', async () => {
    const team = await createTeam(gateway.url, { name: 'capped', rpm: 2 });
    const a = await newKey({ name: 'team-a', team: team.id, rpm: 100 });
    const b = await newKey({ name: 'team-b', team: team.id });
    assert.equal((await client(a.key).chat(chatBody())).status, 200);
    assert.equal((await client(b.key).chat(chatBody())).status, 200);
    const refused = await client(a.key).chat(chatBody());
    assert.equal(refused.status, 429);
    assert.match((await refused.json()).error.message, /team/);
  });
});

describe('budgets', () => {
  it('refuses a budgeted key a deployment without a known price', async () => {
    const key = await newKey({ name: 'budget-unpriced', budget: { usd: 1 } });
    const res = await client(key.key).chat(chatBody({ model: 'unpriced' }));
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.code, 'unpriced_model');
    assert.equal((await client(key.key).chat(chatBody({ model: 'priced' }))).status, 200);
  });

  it('is never exceeded, is refused as insufficient_quota without retries, and equals the ledger', async () => {
    // Each request: ~40 tokens of body + max_tokens 20 reserved at $1/M; ~20 tokens really used.
    const key = await newKey({ name: 'budget', budget: { usd: '0.0005', period: 'day' } });
    let refused = null;
    let answered = 0;
    for (let i = 0; i < 200 && !refused; i++) {
      const res = await client(key.key).chat(chatBody({ model: 'priced', max_tokens: 20 }));
      if (res.status === 429) {
        refused = res;
      } else {
        const text = await res.text();
        assert.equal(res.status, 200, text);
        answered += 1;
      }
    }
    assert.ok(refused, 'the budget ran out');
    assert.equal(refused.headers.get('x-should-retry'), 'false');
    const body = await refused.json();
    assert.equal(body.error.code, 'insufficient_quota');
    assert.match(body.error.message, /resets at \d{4}-/);
    let rows = [];
    await waitFor(async () => {
      rows = (await allLedgerRows(gateway.url, MASTER_KEY)).filter((row) => row.key_id === key.id && row.status === 200);
      return rows.length === answered;
    }, { timeoutMs: 3000, message: 'every answered request in the ledger' });
    const pico = (decimal) => {
      const [whole, fraction = ''] = decimal.split('.');
      return BigInt(whole) * 10n ** 12n + BigInt(fraction.padEnd(12, '0'));
    };
    const ledgerSum = rows.reduce((total, row) => total + pico(row.cost_usd), 0n);
    const spend = pico((await call('GET', `/admin/keys/${key.id}`)).body.spend_usd);
    assert.equal(spend, ledgerSum, 'spend is the sum of the key\'s ledger rows');
    assert.ok(spend <= 500_000_000n, `spend ${spend} pico-dollars stays within the $0.0005 budget`);
    assert.ok(answered >= 5, `${answered} requests fitted`);
  });
});

describe('secrets and metrics', () => {
  it('never shows a secret in a log line, an admin answer, the ledger or the metrics', async () => {
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(metrics, /switchyard_access_denials_total\{reason="model_not_allowed"\} [1-9]/);
    assert.match(metrics, /switchyard_access_denials_total\{reason="requests"\} [1-9]/);
    const ledger = JSON.stringify(await allLedgerRows(gateway.url, MASTER_KEY));
    const config = (await call('GET', '/admin/config')).text;
    const database = readFileSync(path.join(dataDir, 'switchyard.db')).toString('latin1');
    assert.ok(secrets.length > 10);
    for (const secret of secrets) {
      assert.equal(gateway.logs().includes(secret), false, 'in the logs');
      assert.equal(metrics.includes(secret), false, 'in the metrics');
      assert.equal(ledger.includes(secret), false, 'in the ledger');
      assert.equal(config.includes(secret), false, 'in /admin/config');
      assert.equal(database.includes(secret), false, 'in the database file');
    }
    // Every answer but the one that issued it.
    for (const secret of secrets) {
      const showing = answers.filter((text) => text.includes(secret));
      assert.ok(showing.length <= 1, 'a secret is shown once at most');
    }
    assert.match(gateway.logs(), /key_id="?key_[0-9a-f]{16}/, 'the access log names the key id');
  });
});
