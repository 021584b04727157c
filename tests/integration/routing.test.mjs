// Routing and resilience: what a client sees, and how many upstream attempts the gateway made,
// when deployments fail.
//
// One gateway in front of an OpenAI mock (provider `oai`), an Anthropic mock (`ant`), a Gemini
// mock (`gem`), a stalling upstream that sends headers but never a first token (`stall-*`) and a
// closed port (`dead-*`). Every scenario has its own alias and its own upstream model names, so
// the requests each mock recorded can be attributed to one deployment (the model is in the body,
// or in the path for Gemini), and the access-log line of the request (found by its x-request-id,
// which the SDK clients' fetch notes) tells the attempts in order (attempt_log=provider/model:outcome,...).
//
// Faults covered (each with two failing deployments in front of a healthy one, for every official
// SDK, non-streaming and streaming): HTTP 500, 503, 429 with retry-after: 0, 529 from Anthropic,
// connection refused, reset before headers, no headers within first_byte (hang / slow first
// byte), no first token within first_token (stream). Then: a 400/401/404 is relayed without
// trying the next deployment; retry rounds and retry-after; cross-dialect fallback aliases;
// OpenRouter's per-request `models`; the circuit breaker and /admin/deployments, /metrics; the
// x-switchyard-* headers and the attempt log; a failure after the stream started; timeout
// precedence (deployment > alias, and an alias block replaces the provider's).
//
// Timeouts that are meant to fire are short (200 ms) and set on the failing deployments' alias;
// the healthy deployment has its own generous ones. The SDK tests of one fault run concurrently
// (each SDK's healthy deployment is on its own mock), so a slow fault costs 2 × 200 ms per mode.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';

import { ADAPTERS, TIMEOUT_MS } from '../conformance/clients.mjs';
import { startAnthropicMock } from '../mocks/anthropic-mock.mjs';
import { startGeminiMock } from '../mocks/gemini-mock.mjs';
import { startOpenAIMock } from '../mocks/openai-mock.mjs';
import { accessLogEntry } from '../support/access-log.mjs';
import { assertEndsWithErrorFrame, assertOpenAIError } from '../support/assertions.mjs';
import { MASTER_KEY, UPSTREAM_KEY, toYaml } from '../support/config.mjs';
import { openaiFixture } from '../support/fixtures.mjs';
import { startGateway } from '../support/gateway.mjs';
import { assertNoSecretsInLogs, assertOneAccessLogLinePerRequest } from '../support/harness.mjs';
import { DONE, chatBody, closedPort, gatewayClient, readJSON, readSSE, streamedContent, waitFor } from '../support/http.mjs';
import { startStallingUpstream } from '../support/stalling-upstream.mjs';

const PROMPT = 'Say hello';
const ANSWER = `Hello from mock: ${PROMPT}`;
const SHORT_MS = 200; // the timeouts that are meant to fire
const SHORT = `${SHORT_MS}ms`;
const SLOW_MS = 350; // an upstream slower than SHORT (but well within the generous timeouts)
const SDKS = ['openai', 'anthropic', 'gemini'];
// No circuit breaker in the way of scenarios that fail the same deployment several times.
const NO_COOLDOWN = { failures: 1000, window: '1s', duration: '1s' };

// Each SDK's own dialect: where its healthy deployment lives, and its failing look-alikes.
const HOME = {
  openai: { provider: 'oai', dead: 'dead-oai', stall: 'stall-oai' },
  anthropic: { provider: 'ant', dead: 'dead-ant', stall: 'stall-ant' },
  gemini: { provider: 'gem', dead: 'dead-gem', stall: 'stall-gem' },
};
// Model names each upstream accepts: the Anthropic mock wants claude-*, the Gemini mock gemini-*.
const MODEL_PREFIX = { oai: 'gpt', ant: 'claude', gem: 'gemini' };
const prefixOf = (provider) => MODEL_PREFIX[provider.replace(/^(dead|stall)-/, '').replace(/-.*$/, '')];
const modelName = (provider, scenario, suffix) => `${prefixOf(provider)}-${scenario}-${suffix}`;

const status = (code, headers) => ({ kind: 'status', status: code, ...(headers ? { headers } : {}) });

// ---------------------------------------------------------------------------------------------
// The fault kinds. failOn: where the two failing deployments are ('home': the SDK's own mock,
// 'ant': the Anthropic mock, 'dead': a closed port, 'stall': the stalling upstream). outcome: what
// the attempt log says about a failed attempt.

const FAULTS = [
  { slug: 'e500', title: 'HTTP 500', failOn: 'home', behaviours: [status(500), status(500)], outcome: '500' },
  { slug: 'e503', title: 'HTTP 503', failOn: 'home', behaviours: [status(503), status(503)], outcome: '503' },
  {
    slug: 'e429',
    title: 'HTTP 429 with retry-after: 0',
    failOn: 'home',
    behaviours: [status(429, { 'retry-after': '0' }), status(429, { 'retry-after': '0' })],
    outcome: '429',
  },
  {
    slug: 'e529',
    title: 'HTTP 529 overloaded from the Anthropic upstream',
    failOn: 'ant',
    behaviours: [status(529), status(529)],
    outcome: '529',
    serial: true, // every SDK's failing deployments share the Anthropic mock's script queue
  },
  { slug: 'refused', title: 'connection refused', failOn: 'dead', outcome: 'upstream_unreachable' },
  {
    slug: 'reset',
    title: 'connection reset before the response headers',
    failOn: 'home',
    behaviours: [{ kind: 'reset' }, { kind: 'reset' }],
    outcome: 'upstream_unreachable',
  },
  {
    slug: 'firstbyte',
    title: `no response headers within first_byte (${SHORT}): a hang, then a slow first byte`,
    failOn: 'home',
    behaviours: [{ kind: 'hang' }, { kind: 'slow_first_byte', delay_ms: 1500 }],
    outcome: 'upstream_first_byte_timeout',
    timeouts: { first_byte: SHORT },
    healthyTimeouts: { first_byte: '5s' },
  },
  {
    slug: 'firsttoken',
    title: `a stream with headers but no first token within first_token (${SHORT})`,
    failOn: 'stall',
    outcome: 'upstream_first_token_timeout',
    streamOnly: true,
    timeouts: { first_token: SHORT },
    healthyTimeouts: { first_token: '5s' },
  },
];

function failingProvider(fault, sdk) {
  if (fault.failOn === 'home') return HOME[sdk].provider;
  if (fault.failOn === 'dead') return HOME[sdk].dead;
  if (fault.failOn === 'stall') return HOME[sdk].stall;
  return fault.failOn;
}

/** The alias of one (fault, SDK) scenario: two failing deployments, then a healthy one. */
function faultAlias(fault, sdk) {
  const failing = failingProvider(fault, sdk);
  const home = HOME[sdk].provider;
  return {
    name: `${fault.slug}-${sdk}`,
    failing: ['a', 'b'].map((suffix) => ({ provider: failing, model: modelName(failing, fault.slug, suffix) })),
    healthy: { provider: home, model: modelName(home, fault.slug, 'ok') },
  };
}

const label = (d) => `${d.provider}/${d.model}`;

// ---------------------------------------------------------------------------------------------
// The environment

const env = { oai: null, ant: null, gem: null, stall: null, deadPort: null, gateway: null, client: null, sdk: {} };

// The x-request-id of every response each SDK client received, in order: the SDK clients are set
// up as the conformance adapters set them up (no retries), plus a fetch that notes the id, so that
// a test can find the access-log line of the request its SDK call made.
const sdkRequestIds = { openai: [], anthropic: [], gemini: [] };

function recordingFetch(ids) {
  return async (input, init) => {
    const res = await fetch(input, init);
    ids.push(res.headers.get('x-request-id'));
    return res;
  };
}

function createSdkClient(sdk, baseUrl) {
  const recording = recordingFetch(sdkRequestIds[sdk]);
  const common = { apiKey: MASTER_KEY, maxRetries: 0, timeout: TIMEOUT_MS, fetch: recording };
  if (sdk === 'openai') return new OpenAI({ ...common, baseURL: `${baseUrl}/v1` });
  if (sdk === 'anthropic') return new Anthropic({ ...common, baseURL: baseUrl });
  return new GoogleGenAI({ apiKey: MASTER_KEY, httpOptions: { baseUrl, timeout: TIMEOUT_MS, fetch: recording } });
}

/** The server that records the requests of `provider` (null for a closed port). */
function serverOf(provider) {
  if (provider === 'oai' || provider === 'oai-badkey' || provider === 'oai-short') return env.oai;
  if (provider === 'ant' || provider === 'gem') return env[provider];
  if (provider.startsWith('stall-')) return env.stall;
  return null;
}

function gatewayYaml() {
  const deadBase = `http://127.0.0.1:${env.deadPort}`;
  const providers = {
    oai: { type: 'openai', base_url: env.oai.url, api_key: UPSTREAM_KEY },
    'oai-badkey': { type: 'openai', base_url: env.oai.url, api_key: 'sk-wrong-upstream-key' },
    'oai-short': { type: 'openai', base_url: env.oai.url, api_key: UPSTREAM_KEY, timeouts: { first_byte: SHORT } },
    ant: { type: 'anthropic', base_url: env.ant.url, api_key: UPSTREAM_KEY },
    gem: { type: 'gemini', base_url: env.gem.url, api_key: UPSTREAM_KEY },
    'dead-oai': { type: 'openai', base_url: `${deadBase}/v1`, api_key: 'sk-dead-test' },
    'dead-ant': { type: 'anthropic', base_url: deadBase, api_key: 'sk-dead-test' },
    'dead-gem': { type: 'gemini', base_url: deadBase, api_key: 'sk-dead-test' },
    'stall-oai': { type: 'openai', base_url: `${env.stall.url}/v1`, api_key: UPSTREAM_KEY },
    'stall-ant': { type: 'anthropic', base_url: env.stall.url, api_key: UPSTREAM_KEY },
    'stall-gem': { type: 'gemini', base_url: env.stall.url, api_key: UPSTREAM_KEY },
  };

  const models = {};
  for (const fault of FAULTS) {
    for (const sdk of SDKS) {
      const alias = faultAlias(fault, sdk);
      models[alias.name] = {
        strategy: 'priority',
        cooldown: NO_COOLDOWN,
        timeouts: fault.timeouts,
        deployments: [
          { ...alias.failing[0], priority: 0 },
          { ...alias.failing[1], priority: 1 },
          { ...alias.healthy, priority: 2, timeouts: fault.healthyTimeouts },
        ],
      };
    }
  }
  for (const sdk of SDKS) {
    const home = HOME[sdk].provider;
    // Non-retryable errors, and failures after the stream started: one failing, one healthy.
    models[`bad-${sdk}`] = { cooldown: NO_COOLDOWN, deployments: ['a', 'ok'].map((s) => ({ provider: home, model: modelName(home, 'bad', s) })) };
    models[`mid-${sdk}`] = { cooldown: NO_COOLDOWN, deployments: ['a', 'ok'].map((s) => ({ provider: home, model: modelName(home, 'mid', s) })) };
  }
  Object.assign(models, {
    badkey: { cooldown: NO_COOLDOWN, deployments: [{ provider: 'oai-badkey', model: 'gpt-badkey-a' }, { provider: 'oai', model: 'gpt-badkey-ok' }] },
    // Retry rounds over the same deployments.
    rounds: {
      max_attempts: 3,
      retry: { initial_backoff: '50ms', max_backoff: '400ms' },
      deployments: [{ provider: 'oai', model: 'gpt-rounds' }],
    },
    'rounds-two': {
      max_attempts: 4,
      retry: { initial_backoff: '20ms', max_backoff: '400ms' },
      cooldown: NO_COOLDOWN,
      deployments: [
        { provider: 'oai', model: 'gpt-rounds-two-a' },
        { provider: 'oai', model: 'gpt-rounds-two-b' },
      ],
    },
    // Cross-dialect fallbacks: an OpenAI alias, then an Anthropic one, then a Gemini one.
    xd: { cooldown: NO_COOLDOWN, fallbacks: ['xd-claude', 'xd-gemini'], deployments: [{ provider: 'oai', model: 'gpt-xd' }] },
    'xd-claude': { cooldown: NO_COOLDOWN, deployments: [{ provider: 'ant', model: 'claude-xd' }] },
    'xd-gemini': { cooldown: NO_COOLDOWN, deployments: [{ provider: 'gem', model: 'gemini-xd' }] },
    // OpenRouter's per-request `models`.
    'or-a': { deployments: [{ provider: 'oai', model: 'gpt-or-a' }] },
    'or-b': { deployments: [{ provider: 'oai', model: 'gpt-or-b' }] },
    // The circuit breaker: one that stays open for the whole test, so a skip is certain, and
    // one whose 300 ms cooldown the test waits out.
    'cool-hold': {
      cooldown: { failures: 2, window: '30s', duration: '30s' },
      deployments: [
        { provider: 'oai', model: 'gpt-hold-bad', priority: 0 },
        { provider: 'oai', model: 'gpt-hold-good', priority: 1 },
      ],
    },
    cool: {
      cooldown: { failures: 2, window: '30s', duration: '300ms' },
      deployments: [
        { provider: 'oai', model: 'gpt-cool-bad', priority: 0 },
        { provider: 'oai', model: 'gpt-cool-good', priority: 1 },
      ],
    },
    'cool-all': {
      cooldown: { failures: 1, window: '30s', duration: '30s' },
      deployments: [{ provider: 'oai', model: 'gpt-cool-all' }],
    },
    solo: { deployments: [{ provider: 'oai', model: 'gpt-solo' }] },
    probe: {
      cooldown: { failures: 1, window: '30s', duration: '200ms' },
      deployments: [
        { provider: 'oai', model: 'gpt-probe-bad', priority: 0 },
        { provider: 'oai', model: 'gpt-probe-good', priority: 1 },
      ],
    },
    stuck: {
      cooldown: { failures: 1, window: '30s', duration: '200ms' },
      deployments: [
        { provider: 'ant', model: 'claude-stuck', priority: 0 },
        { provider: 'oai', model: 'gpt-stuck-ok', priority: 1 },
      ],
    },
    'probe-single': {
      cooldown: { failures: 1, window: '30s', duration: '200ms' },
      deployments: [{ provider: 'oai', model: 'gpt-probe-single' }],
    },
    // More failover details.
    'exhaust-stall': { timeouts: { first_token: SHORT }, deployments: [{ provider: 'stall-oai', model: 'gpt-exs-a' }] },
    nobody: {
      cooldown: NO_COOLDOWN,
      timeouts: { first_token: SHORT },
      deployments: [
        { provider: 'stall-oai', model: 'gpt-nobody-a' },
        { provider: 'oai', model: 'gpt-nobody-ok', timeouts: { first_token: '5s' } },
      ],
    },
    idle: {
      cooldown: NO_COOLDOWN,
      timeouts: { idle: SHORT },
      deployments: [{ provider: 'oai', model: 'gpt-idle-a' }, { provider: 'oai', model: 'gpt-idle-ok' }],
    },
    capped: {
      max_attempts: 2,
      cooldown: NO_COOLDOWN,
      deployments: ['a', 'b', 'c'].map((s) => ({ provider: 'oai', model: `gpt-cap-${s}` })),
    },
    // Timeout precedence: deployment over alias; an alias block replaces the provider's.
    'dep-timeouts': {
      cooldown: NO_COOLDOWN,
      timeouts: { first_byte: SHORT },
      deployments: [
        { provider: 'oai', model: 'gpt-dt-a' },
        { provider: 'oai', model: 'gpt-dt-b', timeouts: { first_byte: '2s' } },
      ],
    },
    'provider-timeouts': { deployments: [{ provider: 'oai-short', model: 'gpt-pt' }] },
    'alias-timeouts': { timeouts: { connect: '1s' }, deployments: [{ provider: 'oai-short', model: 'gpt-at' }] },
    slow: { deployments: [{ provider: 'oai', model: 'gpt-slow' }] },
    // Headers and attempt log: refused, 503, then healthy.
    hdr: {
      cooldown: NO_COOLDOWN,
      deployments: [
        { provider: 'dead-oai', model: 'gpt-hdr-a' },
        { provider: 'oai', model: 'gpt-hdr-b' },
        { provider: 'oai', model: 'gpt-hdr-ok' },
      ],
    },
    // Every candidate fails: the last failure reaches the client.
    'exhaust-status': { cooldown: NO_COOLDOWN, deployments: [{ provider: 'oai', model: 'gpt-ex-a' }, { provider: 'oai', model: 'gpt-ex-b' }] },
    'exhaust-refused': { cooldown: NO_COOLDOWN, deployments: [{ provider: 'dead-oai', model: 'gpt-exr-a' }, { provider: 'dead-oai', model: 'gpt-exr-b' }] },
    'exhaust-timeout': {
      cooldown: NO_COOLDOWN,
      timeouts: { first_byte: SHORT },
      deployments: [{ provider: 'oai', model: 'gpt-ext-a' }, { provider: 'oai', model: 'gpt-ext-b' }],
    },
  });

  return toYaml({
    server: { listen: '127.0.0.1:0', max_body_size: '1MiB', header_timeout: '5s', idle_timeout: '30s', shutdown_timeout: '5s' },
    auth: { master_key: MASTER_KEY },
    timeouts: { connect: '1s', first_byte: '5s', first_token: '5s', idle: '5s', total: '20s' },
    providers,
    models,
  });
}

before(async () => {
  env.oai = await startOpenAIMock({ apiKey: UPSTREAM_KEY });
  env.ant = await startAnthropicMock({ apiKey: UPSTREAM_KEY });
  env.gem = await startGeminiMock({ apiKey: UPSTREAM_KEY });
  env.stall = await startStallingUpstream();
  env.deadPort = await closedPort();
  env.gateway = await startGateway({ config: gatewayYaml() });
  env.client = gatewayClient(env.gateway.url, { apiKey: MASTER_KEY });
  for (const sdk of SDKS) env.sdk[sdk] = createSdkClient(sdk, env.gateway.url);
});

after(async () => {
  await env.gateway?.stop();
  await Promise.all([env.oai, env.ant, env.gem, env.stall].map((s) => s?.close()));
});

// ---------------------------------------------------------------------------------------------
// Helpers

/** The model a recorded upstream request asked for (Gemini: in the path; others: in the body). */
function requestModel(record) {
  const path = new URL(record.path, 'http://upstream').pathname;
  const inPath = /\/models\/([^/:]+):/.exec(path);
  if (inPath) return decodeURIComponent(inPath[1]);
  try {
    return JSON.parse(record.body).model;
  } catch {
    return undefined;
  }
}

const RECORDERS = ['oai', 'ant', 'gem', 'stall'];

/** Where each upstream's request record stands now. */
const markRequests = () => Object.fromEntries(RECORDERS.map((name) => [name, env[name].requests.length]));

/** The generation requests recorded since `mark` for the given deployments, by deployment label. */
function attemptsSince(mark, deployments) {
  const counts = Object.fromEntries(deployments.map((d) => [label(d), 0]));
  for (const d of deployments) {
    const server = serverOf(d.provider);
    if (!server) continue; // nothing listens: no request can be recorded
    const name = RECORDERS.find((r) => env[r] === server);
    for (const record of server.requests.slice(mark[name])) {
      if (requestModel(record) !== d.model) continue;
      // oai and oai-badkey share a mock: tell them apart by the key they sent.
      if (server === env.oai) {
        const badKey = record.headers.authorization !== `Bearer ${UPSTREAM_KEY}`;
        if (badKey !== (d.provider === 'oai-badkey')) continue;
      }
      counts[label(d)] += 1;
    }
  }
  return counts;
}

/** The recorded requests (records) since `mark` for one deployment. */
function recordsSince(mark, deployment) {
  const server = serverOf(deployment.provider);
  const name = RECORDERS.find((r) => env[r] === server);
  return server.requests.slice(mark[name]).filter((r) => requestModel(r) === deployment.model);
}

const attemptLog = (...entries) => entries.map(([d, outcome]) => `${label(d)}:${outcome}`).join(',');

/**
 * Runs `call` (which makes one request through the `sdk` client) and resolves { value } or
 * { error }, plus `entry`: the access-log line of that request. Fails if the SDK made more or
 * fewer than one HTTP request.
 */
async function throughSdk(sdk, call) {
  const before = sdkRequestIds[sdk].length;
  const outcome = await call().then(
    (value) => ({ value }),
    (error) => ({ error }),
  );
  const ids = sdkRequestIds[sdk].slice(before);
  assert.equal(ids.length, 1, `the ${sdk} SDK made ${ids.length} HTTP requests (${outcome.error?.message ?? 'no error'})`);
  return { ...outcome, entry: await accessLogEntry(env.gateway, ids[0]) };
}

/** A chat through an SDK's adapter: { result (neutral: { text, finish, ... }), entry }; fails on an error. */
async function sdkChat(sdk, model, { stream = false, text = PROMPT } = {}) {
  const { value, error, entry } = await throughSdk(sdk, () =>
    ADAPTERS[sdk].chat(env.sdk[sdk], { model, messages: [{ role: 'user', text }], stream }),
  );
  if (error) throw error;
  return { result: value, entry };
}

const getJSON = async (path, apiKey = MASTER_KEY) => {
  const res = await env.client.get(path, { apiKey });
  return { status: res.status, body: await readJSON(res) };
};

async function deploymentState(alias, model) {
  const { status: code, body } = await getJSON('/admin/deployments');
  assert.equal(code, 200);
  const entry = body.deployments.find((d) => d.alias === alias && d.model === model);
  assert.ok(entry, `no /admin/deployments entry for ${alias} ${model}: ${JSON.stringify(body)}`);
  return entry;
}

async function metricState(alias, provider, model) {
  const res = await fetch(`${env.gateway.url}/metrics`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });
  assert.equal(res.status, 200);
  const text = await res.text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`switchyard_deployment_state{alias="${alias}",provider="${provider}",model="${model}"}`));
  assert.ok(line, `no switchyard_deployment_state line for ${alias} ${provider}/${model} in:\n${text}`);
  return Number(line.split(' ').at(-1));
}

// ---------------------------------------------------------------------------------------------

describe('failover: two failing deployments, then a healthy one; every SDK sees a normal answer', () => {
  for (const fault of FAULTS) {
    describe(`fault: ${fault.title}`, () => {
      for (const stream of fault.streamOnly ? [true] : [false, true]) {
        describe(stream ? 'streaming' : 'non-streaming', { concurrency: !fault.serial }, () => {
          for (const sdk of SDKS) {
            it(`${sdk} SDK: the answer, after 3 attempts (one per deployment)`, async () => {
              const alias = faultAlias(fault, sdk);
              const all = [...alias.failing, alias.healthy];
              const mark = markRequests();
              if (fault.behaviours) serverOf(alias.failing[0].provider).script(fault.behaviours);

              const { result, entry } = await sdkChat(sdk, alias.name, { stream });
              assert.equal(result.text, ANSWER);
              assert.equal(result.finish, 'stop');

              assert.equal(
                entry.attempt_log,
                attemptLog([alias.failing[0], fault.outcome], [alias.failing[1], fault.outcome], [alias.healthy, '200']),
                entry.line,
              );
              assert.equal(entry.attempts, '3', entry.line);
              assert.equal(entry.status, '200', entry.line);
              // What each upstream saw: one request per deployment (none can reach a closed port).
              const reachable = fault.failOn === 'dead' ? 0 : 1;
              assert.deepEqual(attemptsSince(mark, all), {
                [label(alias.failing[0])]: reachable,
                [label(alias.failing[1])]: reachable,
                [label(alias.healthy)]: 1,
              });
            });
          }
        });
      }
    });
  }
});

describe('non-retryable upstream errors are relayed at once', () => {
  describe('HTTP 400 from the first deployment', { concurrency: true }, () => {
    for (const sdk of SDKS) {
      it(`${sdk} SDK gets the 400; the second deployment is never tried`, async () => {
        const home = HOME[sdk].provider;
        const [first, second] = ['a', 'ok'].map((s) => ({ provider: home, model: modelName(home, 'bad', s) }));
        const mark = markRequests();
        serverOf(home).script([status(400)]);
        const { error: err, entry } = await throughSdk(sdk, () =>
          ADAPTERS[sdk].chat(env.sdk[sdk], { model: `bad-${sdk}`, messages: [{ role: 'user', text: PROMPT }] }),
        );
        assert.ok(err, 'the request succeeded');
        const ErrorClass = ADAPTERS[sdk].errorClasses[400];
        assert.ok(err instanceof ErrorClass, `expected ${ErrorClass.name}, got ${err?.constructor?.name}: ${err?.message}`);
        assert.equal(err.status, 400);
        assert.equal(ADAPTERS[sdk].dialectProblem(err, 400), null);
        assert.deepEqual(attemptsSince(mark, [first, second]), { [label(first)]: 1, [label(second)]: 0 });
        assert.equal(entry.attempt_log, attemptLog([first, '400']), entry.line);
        assert.equal(entry.status, '400', entry.line);
      });
    }
  });

  it('a 404 is relayed with its body and the routing headers; one attempt', async () => {
    const [first, second] = ['a', 'ok'].map((s) => ({ provider: 'oai', model: modelName('oai', 'bad', s) }));
    const mark = markRequests();
    env.oai.script([status(404)]);
    const res = await env.client.chat(chatBody({ model: 'bad-openai' }));
    assert.equal(res.status, 404);
    assert.deepEqual(await readJSON(res), openaiFixture('openai.error.404.json'));
    assert.equal(res.headers.get('x-switchyard-deployment'), label(first));
    assert.equal(res.headers.get('x-switchyard-attempts'), '1');
    assert.deepEqual(attemptsSince(mark, [first, second]), { [label(first)]: 1, [label(second)]: 0 });
  });

  it('a 401 from an upstream with a wrong key is relayed; the next deployment is never tried', async () => {
    const first = { provider: 'oai-badkey', model: 'gpt-badkey-a' };
    const second = { provider: 'oai', model: 'gpt-badkey-ok' };
    const mark = markRequests();
    const res = await env.client.chat(chatBody({ model: 'badkey' }));
    assert.equal(res.status, 401);
    assertOpenAIError(await readJSON(res));
    assert.deepEqual(attemptsSince(mark, [first, second]), { [label(first)]: 1, [label(second)]: 0 });
    const entry = await accessLogEntry(env.gateway, res.headers.get('x-request-id'));
    assert.equal(entry.attempt_log, attemptLog([first, '401']), entry.line);
  });
});

describe('when every candidate fails, the last failure reaches the client', () => {
  it('two deployments answering 503: the client gets the 503 (the upstream body), after 2 attempts', async () => {
    const deployments = [{ provider: 'oai', model: 'gpt-ex-a' }, { provider: 'oai', model: 'gpt-ex-b' }];
    const mark = markRequests();
    env.oai.script([status(503), status(503)]);
    const res = await env.client.chat(chatBody({ model: 'exhaust-status' }));
    assert.equal(res.status, 503);
    assert.deepEqual(await readJSON(res), openaiFixture('openai.error.500.json'));
    assert.deepEqual(attemptsSince(mark, deployments), { [label(deployments[0])]: 1, [label(deployments[1])]: 1 });
    const entry = await accessLogEntry(env.gateway, res.headers.get('x-request-id'));
    assert.equal(entry.attempt_log, attemptLog([deployments[0], '503'], [deployments[1], '503']), entry.line);
  });

  it('the exhausted answer still says how many attempts were made (x-switchyard-attempts)', async () => {
    env.oai.script([status(503), status(503)]);
    const res = await env.client.chat(chatBody({ model: 'exhaust-status' }));
    assert.equal(res.status, 503);
    await res.text();
    assert.equal(
      res.headers.get('x-switchyard-attempts'),
      '2',
      `headers of the exhausted 503: ${JSON.stringify(Object.fromEntries(res.headers))}`,
    );
  });

  it('two refused connections: 502, OpenAI-shaped', async () => {
    const res = await env.client.chat(chatBody({ model: 'exhaust-refused' }));
    assert.equal(res.status, 502);
    assertOpenAIError(await readJSON(res));
    const entry = await accessLogEntry(env.gateway, res.headers.get('x-request-id'));
    assert.equal(
      entry.attempt_log,
      'dead-oai/gpt-exr-a:upstream_unreachable,dead-oai/gpt-exr-b:upstream_unreachable',
      entry.line,
    );
  });

  it(`two hanging upstreams: 504 after about 2 × first_byte (${SHORT})`, async () => {
    const deployments = [{ provider: 'oai', model: 'gpt-ext-a' }, { provider: 'oai', model: 'gpt-ext-b' }];
    const mark = markRequests();
    env.oai.script([{ kind: 'hang' }, { kind: 'hang' }]);
    const started = Date.now();
    const res = await env.client.chat(chatBody({ model: 'exhaust-timeout' }));
    const elapsed = Date.now() - started;
    assert.equal(res.status, 504);
    assertOpenAIError(await readJSON(res), { code: 'upstream_first_byte_timeout' });
    assert.ok(elapsed >= 2 * SHORT_MS - 20 && elapsed < 2000, `answered after ${elapsed} ms`);
    assert.deepEqual(attemptsSince(mark, deployments), { [label(deployments[0])]: 1, [label(deployments[1])]: 1 });
  });

  it('a stream whose only deployment sends no first token: a JSON 504, not an event stream', async () => {
    const res = await env.client.chat(chatBody({ model: 'exhaust-stall', stream: true }));
    assert.equal(res.status, 504);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assertOpenAIError(await readJSON(res), { code: 'upstream_first_token_timeout' });
  });
});

describe('routed error answers carry the routing headers too', () => {
  it('two refused connections (502): x-switchyard-attempts says 2', async () => {
    const res = await env.client.chat(chatBody({ model: 'exhaust-refused' }));
    assert.equal(res.status, 502);
    await res.text();
    assert.equal(
      res.headers.get('x-switchyard-attempts'),
      '2',
      `headers of the 502 after two attempts: ${JSON.stringify(Object.fromEntries(res.headers))}`,
    );
  });

  it('a 429 whose retry-after ends the retrying: x-switchyard-attempts says 1', async () => {
    env.oai.script([status(429, { 'retry-after': '5' })]);
    const res = await env.client.chat(chatBody({ model: 'rounds' }));
    assert.equal(res.status, 429);
    await res.text();
    assert.equal(
      res.headers.get('x-switchyard-attempts'),
      '1',
      `headers of the 429: ${JSON.stringify(Object.fromEntries(res.headers))}`,
    );
  });
});

describe('more failover details', () => {
  it('statuses 408, 502 and 504 move on to the next deployment too', async () => {
    const [a, b] = [{ provider: 'oai', model: 'gpt-ex-a' }, { provider: 'oai', model: 'gpt-ex-b' }];
    for (const code of [408, 502, 504]) {
      const mark = markRequests();
      env.oai.script([status(code)]);
      const res = await env.client.chat(chatBody({ model: 'exhaust-status' }));
      assert.equal(res.status, 200, `after an upstream ${code}: ${await res.clone().text()}`);
      await res.text();
      assert.equal(res.headers.get('x-switchyard-attempts'), '2', `after an upstream ${code}`);
      assert.deepEqual(attemptsSince(mark, [a, b]), { [label(a)]: 1, [label(b)]: 1 }, `after an upstream ${code}`);
    }
  });

  it(`non-streaming: headers but no body within first_token (${SHORT}) moves on as well`, async () => {
    const [a, ok] = [{ provider: 'stall-oai', model: 'gpt-nobody-a' }, { provider: 'oai', model: 'gpt-nobody-ok' }];
    const mark = markRequests();
    const res = await env.client.chat(chatBody({ model: 'nobody' }));
    assert.equal(res.status, 200);
    assert.equal((await readJSON(res)).choices[0].message.content, ANSWER);
    assert.deepEqual(attemptsSince(mark, [a, ok]), { [label(a)]: 1, [label(ok)]: 1 });
    const entry = await accessLogEntry(env.gateway, res.headers.get('x-request-id'));
    assert.equal(entry.attempt_log, attemptLog([a, 'upstream_first_token_timeout'], [ok, '200']), entry.line);
  });

  it(`a deployment's own timeouts win over its alias's: the slow second deployment (${SLOW_MS} ms) is waited for`, async () => {
    const [a, b] = [{ provider: 'oai', model: 'gpt-dt-a' }, { provider: 'oai', model: 'gpt-dt-b' }];
    const mark = markRequests();
    env.oai.script([{ kind: 'slow_first_byte', delay_ms: SLOW_MS }, { kind: 'slow_first_byte', delay_ms: SLOW_MS }]);
    const res = await env.client.chat(chatBody({ model: 'dep-timeouts' }));
    assert.equal(res.status, 200, await res.clone().text());
    await res.text();
    assert.deepEqual(attemptsSince(mark, [a, b]), { [label(a)]: 1, [label(b)]: 1 });
    const entry = await accessLogEntry(env.gateway, res.headers.get('x-request-id'));
    assert.equal(entry.attempt_log, attemptLog([a, 'upstream_first_byte_timeout'], [b, '200']), entry.line);
  });

  it(`an alias's timeouts block replaces its provider's (provider first_byte ${SHORT}, the upstream takes ${SLOW_MS} ms)`, async () => {
    env.oai.script([{ kind: 'slow_first_byte', delay_ms: SLOW_MS }]);
    const viaProvider = await env.client.chat(chatBody({ model: 'provider-timeouts' }));
    assert.equal(viaProvider.status, 504, 'the provider\'s own first_byte applies to an alias without timeouts');
    assertOpenAIError(await readJSON(viaProvider), { code: 'upstream_first_byte_timeout' });

    env.oai.script([{ kind: 'slow_first_byte', delay_ms: SLOW_MS }]);
    const viaAlias = await env.client.chat(chatBody({ model: 'alias-timeouts' }));
    assert.equal(viaAlias.status, 200, `the alias's timeouts (global first_byte 5s) should apply: ${await viaAlias.clone().text()}`);
    await viaAlias.text();
  });
});

describe('retry rounds (max_attempts above the number of deployments)', () => {
  const deployment = { provider: 'oai', model: 'gpt-rounds' };

  it('one deployment failing twice with 503, then answering: 3 attempts, the client sees success', async () => {
    const mark = markRequests();
    env.oai.script([status(503), status(503)]);
    const started = Date.now();
    const res = await env.client.chat(chatBody({ model: 'rounds' }));
    const elapsed = Date.now() - started;
    assert.equal(res.status, 200);
    assert.equal((await readJSON(res)).choices[0].message.content, ANSWER);
    assert.equal(res.headers.get('x-switchyard-attempts'), '3');
    assert.equal(res.headers.get('x-switchyard-deployment'), label(deployment));
    assert.deepEqual(attemptsSince(mark, [deployment]), { [label(deployment)]: 3 });
    // Backoff between rounds: 50 ms then 100 ms, each with jitter down to half.
    assert.ok(elapsed >= 70, `the retries came after ${elapsed} ms, without backoff`);
    const entry = await accessLogEntry(env.gateway, res.headers.get('x-request-id'));
    assert.equal(entry.attempt_log, attemptLog([deployment, '503'], [deployment, '503'], [deployment, '200']), entry.line);
  });

  it('max_attempts caps the rounds: three 503s are the answer, and no fourth attempt is made', async () => {
    const mark = markRequests();
    env.oai.script([status(503), status(503), status(503)]);
    const res = await env.client.chat(chatBody({ model: 'rounds' }));
    assert.equal(res.status, 503);
    assertOpenAIError(await readJSON(res));
    assert.deepEqual(attemptsSince(mark, [deployment]), { [label(deployment)]: 3 });
  });

  it('retry-after-ms within max_backoff is waited out before the next round', async () => {
    const mark = markRequests();
    env.oai.script([status(429, { 'retry-after-ms': '250' })]);
    const started = Date.now();
    const res = await env.client.chat(chatBody({ model: 'rounds' }));
    const elapsed = Date.now() - started;
    assert.equal(res.status, 200);
    await res.text();
    assert.equal(res.headers.get('x-switchyard-attempts'), '2');
    assert.ok(elapsed >= 240, `the retry came after ${elapsed} ms, before retry-after-ms: 250`);
    assert.deepEqual(attemptsSince(mark, [deployment]), { [label(deployment)]: 2 });
  });

  it('retry-after above max_backoff ends the retrying: the client gets the 429 with its retry-after', async () => {
    const mark = markRequests();
    env.oai.script([status(429, { 'retry-after': '5' })]);
    const started = Date.now();
    const res = await env.client.chat(chatBody({ model: 'rounds' }));
    const elapsed = Date.now() - started;
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '5');
    assert.deepEqual(await readJSON(res), openaiFixture('openai.error.429.json'));
    assert.ok(elapsed < 1000, `the 429 took ${elapsed} ms`);
    assert.deepEqual(attemptsSince(mark, [deployment]), { [label(deployment)]: 1 });
  });

  it('max_attempts 2 with three deployments: the third is never tried', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((x) => ({ provider: 'oai', model: `gpt-cap-${x}` }));
    const mark = markRequests();
    env.oai.script([status(503), status(503)]);
    const res = await env.client.chat(chatBody({ model: 'capped' }));
    assert.equal(res.status, 503);
    await res.text();
    assert.deepEqual(attemptsSince(mark, [a, b, c]), { [label(a)]: 1, [label(b)]: 1, [label(c)]: 0 });
  });

  it('two deployments, max_attempts 4: a second round goes over both again, in order', async () => {
    const [a, b] = [{ provider: 'oai', model: 'gpt-rounds-two-a' }, { provider: 'oai', model: 'gpt-rounds-two-b' }];
    const mark = markRequests();
    env.oai.script([status(503), status(500), status(503)]);
    const res = await env.client.chat(chatBody({ model: 'rounds-two' }));
    assert.equal(res.status, 200);
    await res.text();
    assert.equal(res.headers.get('x-switchyard-attempts'), '4');
    assert.equal(res.headers.get('x-switchyard-deployment'), label(b));
    assert.deepEqual(attemptsSince(mark, [a, b]), { [label(a)]: 2, [label(b)]: 2 });
    const entry = await accessLogEntry(env.gateway, res.headers.get('x-request-id'));
    assert.equal(entry.attempt_log, attemptLog([a, '503'], [b, '500'], [a, '503'], [b, '200']), entry.line);
  });
});

describe('cross-dialect fallback aliases (OpenAI alias → Anthropic alias → Gemini alias)', () => {
  const oai = { provider: 'oai', model: 'gpt-xd' };
  const ant = { provider: 'ant', model: 'claude-xd' };
  const gem = { provider: 'gem', model: 'gemini-xd' };

  for (const stream of [false, true]) {
    const mode = stream ? 'streaming' : 'non-streaming';

    it(`${mode}: the OpenAI deployment fails (503), the Anthropic fallback answers the OpenAI SDK`, async () => {
      const mark = markRequests();
      env.oai.script([status(503)]);
      const { result, entry } = await sdkChat('openai', 'xd', { stream });
      assert.equal(result.text, ANSWER);
      assert.equal(result.finish, 'stop');
      if (!stream) assert.ok(result.usage?.input > 0 && result.usage?.output > 0, `usage: ${JSON.stringify(result.usage)}`);
      assert.deepEqual(attemptsSince(mark, [oai, ant, gem]), { [label(oai)]: 1, [label(ant)]: 1, [label(gem)]: 0 });
      // The Anthropic mock validates like the real API: the request was re-encoded as Messages.
      const [sent] = recordsSince(mark, ant);
      assert.equal(sent.path, '/v1/messages');
      assert.equal(sent.response.status, 200);
      assert.equal(JSON.parse(sent.body).stream === true, stream);
      assert.equal(entry.attempt_log, attemptLog([oai, '503'], [ant, '200']), entry.line);
    });

    it(`${mode}: OpenAI 503 and Anthropic 529, the Gemini fallback answers the OpenAI SDK`, async () => {
      const mark = markRequests();
      env.oai.script([status(503)]);
      env.ant.script([status(529)]);
      const { result, entry } = await sdkChat('openai', 'xd', { stream });
      assert.equal(result.text, ANSWER);
      assert.equal(result.finish, 'stop');
      assert.deepEqual(attemptsSince(mark, [oai, ant, gem]), { [label(oai)]: 1, [label(ant)]: 1, [label(gem)]: 1 });
      assert.equal(entry.attempt_log, attemptLog([oai, '503'], [ant, '529'], [gem, '200']), entry.line);
    });
  }
});

describe("OpenRouter's per-request `models` list (OpenAI clients)", () => {
  const a = { provider: 'oai', model: 'gpt-or-a' };
  const b = { provider: 'oai', model: 'gpt-or-b' };
  const messages = [{ role: 'user', content: PROMPT }];

  it('the first model answers: the upstream request has no `models` field', async () => {
    const mark = markRequests();
    const completion = await env.sdk.openai.chat.completions.create({ model: 'or-a', models: ['or-a', 'or-b'], messages });
    assert.equal(completion.choices[0].message.content, ANSWER);
    assert.deepEqual(attemptsSince(mark, [a, b]), { [label(a)]: 1, [label(b)]: 0 });
    const [sent] = recordsSince(mark, a);
    assert.ok(!('models' in JSON.parse(sent.body)), `the upstream got a models field: ${sent.body}`);
  });

  for (const stream of [false, true]) {
    it(`${stream ? 'streaming' : 'non-streaming'}: the first model fails (503), the second serves; neither upstream request has \`models\``, async () => {
      const mark = markRequests();
      env.oai.script([status(503)]);
      let content;
      if (stream) {
        const chunks = [];
        for await (const chunk of await env.sdk.openai.chat.completions.create({ model: 'or-a', models: ['or-a', 'or-b'], messages, stream: true })) {
          chunks.push(chunk);
        }
        content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
      } else {
        const completion = await env.sdk.openai.chat.completions.create({ model: 'or-a', models: ['or-a', 'or-b'], messages });
        content = completion.choices[0].message.content;
      }
      assert.equal(content, ANSWER);
      assert.deepEqual(attemptsSince(mark, [a, b]), { [label(a)]: 1, [label(b)]: 1 });
      for (const sent of [...recordsSince(mark, a), ...recordsSince(mark, b)]) {
        assert.ok(!('models' in JSON.parse(sent.body)), `the upstream got a models field: ${sent.body}`);
      }
    });
  }

  it('a PROVIDER/MODEL name in `models` works as a fallback too', async () => {
    const direct = { provider: 'oai', model: 'gpt-or-direct' };
    const mark = markRequests();
    env.oai.script([status(500)]);
    const res = await env.client.chat(chatBody({ model: 'or-a', models: ['oai/gpt-or-direct'] }));
    assert.equal(res.status, 200);
    assert.equal((await readJSON(res)).choices[0].message.content, ANSWER);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'oai/gpt-or-direct');
    assert.deepEqual(attemptsSince(mark, [a, direct]), { [label(a)]: 1, [label(direct)]: 1 });
  });
});

describe('circuit breaker (cooldown: failures 2, window 30s; durations 30 s and 300 ms)', () => {
  const bad = { provider: 'oai', model: 'gpt-cool-bad' };
  const good = { provider: 'oai', model: 'gpt-cool-good' };

  /** One request to `cool`; returns { deployment, attempts, counts } (the client must see 200). */
  async function coolRequest(script = [], alias = 'cool', pair = [bad, good]) {
    const mark = markRequests();
    env.oai.script(script);
    const res = await env.client.chat(chatBody({ model: alias }));
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await readJSON(res)).choices[0].message.content, ANSWER);
    const entry = await accessLogEntry(env.gateway, res.headers.get('x-request-id'));
    return {
      deployment: res.headers.get('x-switchyard-deployment'),
      attempts: res.headers.get('x-switchyard-attempts'),
      attemptLog: entry.attempt_log,
      counts: attemptsSince(mark, pair),
    };
  }

  it('/admin/deployments needs the master key', async () => {
    const { status: code, body } = await getJSON('/admin/deployments', null);
    assert.equal(code, 401);
    assertOpenAIError(body);
  });

  it('after 2 failures the deployment is skipped for the whole cooldown', async () => {
    const [bad, good] = [{ provider: 'oai', model: 'gpt-hold-bad' }, { provider: 'oai', model: 'gpt-hold-good' }];
    // Two failures in a row, each time served by the second deployment.
    for (let i = 0; i < 2; i++) {
      const r = await coolRequest([status(503)], 'cool-hold', [bad, good]);
      assert.equal(r.deployment, label(good));
      assert.deepEqual(r.counts, { [label(bad)]: 1, [label(good)]: 1 });
    }
    const state = await deploymentState('cool-hold', bad.model);
    assert.equal(state.state, 'cooling_down', JSON.stringify(state));
    assert.ok(state.cooldown_remaining_ms > 0 && state.cooldown_remaining_ms <= 30_000, JSON.stringify(state));
    assert.equal(state.failures, 2);
    assert.equal(state.provider, 'oai');
    assert.equal((await deploymentState('cool-hold', good.model)).state, 'healthy');
    assert.equal(await metricState('cool-hold', 'oai', bad.model), 1);

    // Cooling down (30 s, longer than this test): the failing deployment's upstream sees nothing.
    for (let i = 0; i < 3; i++) {
      const skipped = await coolRequest([], 'cool-hold', [bad, good]);
      assert.deepEqual(skipped.counts, { [label(bad)]: 0, [label(good)]: 1 });
      assert.equal(skipped.attempts, '1');
      assert.equal(skipped.attemptLog, attemptLog([good, '200']));
    }
  });

  // Only the moves the test waits for are checked here, never a state that holds for 300 ms
  // alone: the test must pass on a machine slow enough to take longer than that per request.
  it('after the cooldown one probe goes through (half-open): a failure reopens, a success closes', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await coolRequest([status(503)])).deployment, label(good));
    await waitFor(async () => (await deploymentState('cool', bad.model)).state === 'half_open', {
      timeoutMs: 2000,
      message: 'gpt-cool-bad to become half_open',
    });
    // Half-open holds until a request comes: nothing moves it on a timer.
    assert.equal(await metricState('cool', 'oai', bad.model), 2);

    // The probe fails: the breaker opens again (its third failure), the request still served.
    const failedProbe = await coolRequest([status(503)]);
    assert.deepEqual(failedProbe.counts, { [label(bad)]: 1, [label(good)]: 1 });
    let state = await deploymentState('cool', bad.model);
    assert.equal(state.failures, 3, JSON.stringify(state));
    assert.notEqual(state.state, 'healthy', `after a failed probe: ${JSON.stringify(state)}`);

    // Half-open again; this probe succeeds and closes the circuit.
    await waitFor(async () => (await deploymentState('cool', bad.model)).state === 'half_open', {
      timeoutMs: 2000,
      message: 'gpt-cool-bad to become half_open again',
    });
    const probe = await coolRequest();
    assert.equal(probe.deployment, label(bad));
    assert.deepEqual(probe.counts, { [label(bad)]: 1, [label(good)]: 0 });
    state = await deploymentState('cool', bad.model);
    assert.equal(state.state, 'healthy', `after a successful probe: ${JSON.stringify(state)}`);
    assert.equal(state.cooldown_remaining_ms, 0);
    assert.equal(await metricState('cool', 'oai', bad.model), 0);
    // Back in rotation as the first choice.
    assert.deepEqual((await coolRequest()).counts, { [label(bad)]: 1, [label(good)]: 0 });
  });

  /**
   * Waits until `alias`'s `model` is half-open, then starts a probe that takes SLOW_MS; resolves
   * { probe: the pending response } once the probe is in flight.
   */
  async function startSlowProbe(alias, model) {
    await waitFor(async () => (await deploymentState(alias, model)).state === 'half_open', {
      timeoutMs: 2000,
      message: `${model} to become half_open`,
    });
    env.oai.script([{ kind: 'slow_first_byte', delay_ms: SLOW_MS }]);
    const before = env.oai.requests.filter((r) => requestModel(r) === model).length;
    const probe = env.client.chat(chatBody({ model: alias }));
    await waitFor(async () => (await deploymentState(alias, model)).in_flight === 1, { message: `the probe to ${model} in flight` });
    // And arrived upstream: on a slow build the gateway counts it in flight before the mock has
    // it, and a request counted after the caller's mark would look like a second probe.
    await waitFor(() => env.oai.requests.filter((r) => requestModel(r) === model).length > before,
      { message: `the probe to ${model} at the upstream` });
    return { probe }; // wrapped: an async function returning the promise itself would wait for it
  }

  it('half-open admits exactly one probe: while it is in flight, other requests skip the deployment', async () => {
    const [probeBad, probeGood] = [{ provider: 'oai', model: 'gpt-probe-bad' }, { provider: 'oai', model: 'gpt-probe-good' }];
    env.oai.script([status(503)]);
    const first = await env.client.chat(chatBody({ model: 'probe' }));
    assert.equal(first.status, 200);
    await first.text();
    assert.equal((await deploymentState('probe', probeBad.model)).state, 'cooling_down');

    const { probe } = await startSlowProbe('probe', probeBad.model);
    const mark = markRequests();
    const other = await env.client.chat(chatBody({ model: 'probe' }));
    assert.equal(other.status, 200);
    assert.equal(other.headers.get('x-switchyard-deployment'), label(probeGood));
    await other.text();
    assert.deepEqual(attemptsSince(mark, [probeBad, probeGood]), { [label(probeBad)]: 0, [label(probeGood)]: 1 });

    const probed = await probe;
    assert.equal(probed.status, 200);
    assert.equal(probed.headers.get('x-switchyard-deployment'), label(probeBad));
    await probed.text();
    assert.equal((await deploymentState('probe', probeBad.model)).state, 'healthy');
  });

  it('the only deployment half-open with its probe in flight: another request gets 503 with retry-after', async () => {
    const only = { provider: 'oai', model: 'gpt-probe-single' };
    env.oai.script([status(500)]);
    const first = await env.client.chat(chatBody({ model: 'probe-single' }));
    assert.equal(first.status, 500);
    await first.text();

    const { probe } = await startSlowProbe('probe-single', only.model);
    const mark = markRequests();
    const res = await env.client.chat(chatBody({ model: 'probe-single' }));
    const body = await res.text();
    try {
      assert.equal(res.status, 503, `while the probe is out: ${res.status} ${body}`);
      assert.ok(res.headers.get('retry-after'), `no retry-after on the 503: ${JSON.stringify(Object.fromEntries(res.headers))}`);
      assertOpenAIError(JSON.parse(body));
      assert.deepEqual(attemptsSince(mark, [only]), { [label(only)]: 0 });
    } finally {
      const probed = await probe;
      assert.equal(probed.status, 200);
      await probed.text();
    }
  });

  it('a probe that never reached its upstream (the request cannot be expressed in its dialect) does not use up half-open', async () => {
    const claude = { provider: 'ant', model: 'claude-stuck' };
    const backup = { provider: 'oai', model: 'gpt-stuck-ok' };
    env.ant.script([status(529)]);
    const first = await env.client.chat(chatBody({ model: 'stuck' }));
    assert.equal(first.status, 200);
    await first.text();
    await waitFor(async () => (await deploymentState('stuck', claude.model)).state === 'half_open', {
      timeoutMs: 2000,
      message: 'claude-stuck to become half_open',
    });

    // `seed` has no Anthropic equivalent (unsupported_params: reject): the half-open deployment is
    // admitted as the probe, but the request never leaves the gateway; the backup answers.
    let mark = markRequests();
    const refused = await env.client.chat(chatBody({ model: 'stuck', seed: 7 }));
    assert.equal(refused.status, 200);
    await refused.text();
    const entry = await accessLogEntry(env.gateway, refused.headers.get('x-request-id'));
    assert.equal(entry.attempt_log, attemptLog([claude, 'unsupported'], [backup, '200']), entry.line);
    assert.deepEqual(attemptsSince(mark, [claude, backup]), { [label(claude)]: 0, [label(backup)]: 1 });

    // The next request that can go to Anthropic is the probe.
    mark = markRequests();
    const next = await env.client.chat(chatBody({ model: 'stuck' }));
    assert.equal(next.status, 200);
    await next.text();
    const state = await deploymentState('stuck', claude.model);
    assert.deepEqual(
      attemptsSince(mark, [claude, backup]),
      { [label(claude)]: 1, [label(backup)]: 0 },
      `the probe never went to ${label(claude)} (state ${JSON.stringify(state)}, served by ${next.headers.get('x-switchyard-deployment')})`,
    );
    assert.equal(state.state, 'healthy');
  });

  it('every deployment cooling down: 503 with retry-after, and the upstream sees nothing', async () => {
    const only = { provider: 'oai', model: 'gpt-cool-all' };
    const mark = markRequests();
    env.oai.script([status(500)]);
    const first = await env.client.chat(chatBody({ model: 'cool-all' }));
    assert.equal(first.status, 500);
    await first.text();
    assert.equal((await deploymentState('cool-all', only.model)).state, 'cooling_down');

    const res = await env.client.chat(chatBody({ model: 'cool-all' }));
    assert.equal(res.status, 503);
    const retryAfter = Number(res.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 31, `retry-after: ${res.headers.get('retry-after')}`);
    assertOpenAIError(await readJSON(res));
    assert.deepEqual(attemptsSince(mark, [only]), { [label(only)]: 1 });
  });

  it('off by default for a single-deployment alias without fallbacks: every request still goes upstream', async () => {
    const only = { provider: 'oai', model: 'gpt-solo' };
    const mark = markRequests();
    env.oai.script([status(500), status(500), status(500), status(500), status(500)]);
    for (let i = 0; i < 5; i++) {
      const res = await env.client.chat(chatBody({ model: 'solo' }));
      assert.equal(res.status, 500);
      await res.text();
    }
    assert.deepEqual(attemptsSince(mark, [only]), { [label(only)]: 5 });
    const state = await deploymentState('solo', only.model);
    assert.equal(state.state, 'healthy', JSON.stringify(state));
    assert.equal(state.failures, 5);
  });
});

describe('routing headers and the attempt log', () => {
  const [refused, failing, healthy] = ['a', 'b', 'ok'].map((s, i) => ({ provider: i === 0 ? 'dead-oai' : 'oai', model: `gpt-hdr-${s}` }));
  const expectedLog = attemptLog([refused, 'upstream_unreachable'], [failing, '503'], [healthy, '200']);

  function assertRoutingHeaders(res) {
    assert.equal(res.headers.get('x-switchyard-deployment'), label(healthy));
    assert.equal(res.headers.get('x-switchyard-attempts'), '3');
    const overhead = res.headers.get('x-switchyard-overhead-us');
    assert.match(overhead ?? '', /^\d+$/, `x-switchyard-overhead-us: ${overhead}`);
  }

  it('non-streaming: x-switchyard-deployment/-attempts/-overhead-us, and attempt_log in the access log', async () => {
    env.oai.script([status(503)]);
    const res = await env.client.chat(chatBody({ model: 'hdr' }));
    assert.equal(res.status, 200);
    assertRoutingHeaders(res);
    assert.equal((await readJSON(res)).choices[0].message.content, ANSWER);
    const entry = await accessLogEntry(env.gateway, res.headers.get('x-request-id'));
    assert.equal(entry.attempt_log, expectedLog, entry.line);
    assert.equal(entry.attempts, '3', entry.line);
    assert.equal(entry.provider, 'oai', entry.line);
    assert.equal(entry.upstream_model, healthy.model, entry.line);
  });

  it('streaming: the same headers on the event stream', async () => {
    env.oai.script([status(503)]);
    const res = await env.client.chat(chatBody({ model: 'hdr', stream: true }));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assertRoutingHeaders(res);
    const sse = await readSSE(res);
    assert.equal(sse.trailing, '');
    assert.equal(sse.events.at(-1), DONE);
    assert.equal(streamedContent(sse.events), ANSWER);
    const entry = await accessLogEntry(env.gateway, res.headers.get('x-request-id'));
    assert.equal(entry.attempt_log, expectedLog, entry.line);
  });
});

describe('x-switchyard-overhead-us is the gateway\'s own time, without the upstream\'s', () => {
  const OVERHEAD_PROBE_MS = 200; // the gateway's own share is ~1 ms; 100 ms leaves room for a loaded machine
  for (const stream of [false, true]) {
    it(`${stream ? 'streaming' : 'non-streaming'}: an upstream that takes ${OVERHEAD_PROBE_MS} ms to answer does not count as overhead`, async () => {
      env.oai.script([{ kind: 'slow_first_byte', delay_ms: OVERHEAD_PROBE_MS }]);
      const started = Date.now();
      const res = await env.client.chat(chatBody({ model: 'slow', stream }));
      assert.equal(res.status, 200);
      await res.text();
      assert.ok(Date.now() - started >= OVERHEAD_PROBE_MS);
      const overhead = Number(res.headers.get('x-switchyard-overhead-us'));
      const entry = await accessLogEntry(env.gateway, res.headers.get('x-request-id'));
      assert.ok(
        overhead < 100_000,
        `x-switchyard-overhead-us: ${overhead} for a request whose upstream took ${OVERHEAD_PROBE_MS} ms (access log: duration_us=${entry.duration_us} upstream_us=${entry.upstream_us})`,
      );
    });
  }
});

describe('a failure after the stream started ends it with an in-stream error; nothing else is tried', () => {
  // Enough chunks before the failure that text reached the client (frames per dialect differ).
  const LONG_PROMPT = 'one two three four five six seven eight';
  const LONG_ANSWER = `Hello from mock: ${LONG_PROMPT}`;
  const AFTER = { openai: 3, anthropic: 5, gemini: 2 };

  for (const kind of ['truncate', 'error_midstream']) {
    describe(kind === 'truncate' ? 'the upstream connection drops mid-frame' : 'the upstream sends an error event', { concurrency: true }, () => {
      for (const sdk of SDKS) {
        it(`${sdk} SDK: the stream iteration throws after some text; one attempt`, async () => {
          const home = HOME[sdk].provider;
          const [first, second] = ['a', 'ok'].map((s) => ({ provider: home, model: modelName(home, 'mid', s) }));
          const mark = markRequests();
          serverOf(home).script([{ kind, after_chunks: AFTER[sdk] }]);
          const adapter = ADAPTERS[sdk];
          let opened = false;
          let text = '';
          const { error: err, entry } = await throughSdk(sdk, async () => {
            const stream = await adapter.openStream(env.sdk[sdk], { model: `mid-${sdk}`, messages: [{ role: 'user', text: LONG_PROMPT }] });
            opened = true;
            for await (const piece of stream.texts()) text += piece;
          });
          assert.ok(opened, `the stream failed before it started: ${err?.message}`);
          assert.ok(err, `the stream ended without an error (text ${JSON.stringify(text)})`);
          const ErrorClass = adapter.errorClasses.stream;
          assert.ok(err instanceof ErrorClass, `expected ${ErrorClass.name}, got ${err?.constructor?.name}: ${err?.message}`);
          assert.ok(text.length > 0, 'no text reached the client before the failure');
          assert.ok(LONG_ANSWER.startsWith(text), `text before the error is not a prefix of the answer: ${JSON.stringify(text)}`);
          assert.deepEqual(attemptsSince(mark, [first, second]), { [label(first)]: 1, [label(second)]: 0 });
          assert.equal(entry.attempts, '1', entry.line);
          assert.equal(entry.attempt_log, attemptLog([first, '200']), entry.line);
          assert.notEqual(entry.error, '', `the access log does not record the stream failure: ${entry.line}`);
        });
      }
    });
  }

  it(`a stream that stalls longer than idle (${SHORT}) after its first chunk: an in-stream error, no second deployment`, async () => {
    const [a, ok] = [{ provider: 'oai', model: 'gpt-idle-a' }, { provider: 'oai', model: 'gpt-idle-ok' }];
    const mark = markRequests();
    env.oai.script([{ kind: 'slow_stream', interval_ms: 1500 }]);
    const res = await env.client.chat(chatBody({ model: 'idle', stream: true }));
    assert.equal(res.status, 200);
    const { before, error } = assertEndsWithErrorFrame(await readSSE(res));
    assert.ok(before.length > 0, 'nothing was relayed before the error');
    assert.equal(error.code, 'upstream_idle_timeout');
    assert.deepEqual(attemptsSince(mark, [a, ok]), { [label(a)]: 1, [label(ok)]: 0 });
  });

  it('raw OpenAI stream: complete frames, then an OpenAI error frame (truncation)', async () => {
    const first = { provider: 'oai', model: modelName('oai', 'mid', 'a') };
    const second = { provider: 'oai', model: modelName('oai', 'mid', 'ok') };
    const mark = markRequests();
    env.oai.script([{ kind: 'truncate', after_chunks: 3 }]);
    const res = await env.client.chat(chatBody({ model: 'mid-openai', stream: true, messages: [{ role: 'user', content: LONG_PROMPT }] }));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-switchyard-deployment'), label(first));
    const { before } = assertEndsWithErrorFrame(await readSSE(res));
    assert.ok(streamedContent(before).length > 0);
    assert.deepEqual(attemptsSince(mark, [first, second]), { [label(first)]: 1, [label(second)]: 0 });
  });
});

describe('deployment state at the end', () => {
  it('nothing is left in flight, and the counters of /admin/deployments and /metrics add up', async () => {
    await waitFor(async () => (await getJSON('/admin/deployments')).body.deployments.every((d) => d.in_flight === 0), {
      message: 'every in_flight back to 0',
    });
    const { body } = await getJSON('/admin/deployments');
    const hdr = (model) => body.deployments.find((d) => d.alias === 'hdr' && d.model === model);
    // Two requests went through `hdr`: refused, 503, then 200, each time.
    assert.deepEqual(
      ['gpt-hdr-a', 'gpt-hdr-b', 'gpt-hdr-ok'].map((m) => [hdr(m).provider, hdr(m).successes, hdr(m).failures, hdr(m).state]),
      [
        ['dead-oai', 0, 2, 'healthy'],
        ['oai', 0, 2, 'healthy'],
        ['oai', 2, 0, 'healthy'],
      ],
    );
    assert.ok(hdr('gpt-hdr-ok').latency_ms > 0);
    const metrics = await (await fetch(`${env.gateway.url}/metrics`, { headers: { authorization: `Bearer ${MASTER_KEY}` } })).text();
    assert.match(metrics, /^switchyard_deployment_failures_total\{alias="hdr",provider="dead-oai",model="gpt-hdr-a"\} 2$/m);
    assert.match(metrics, /^switchyard_deployment_successes_total\{alias="hdr",provider="oai",model="gpt-hdr-ok"\} 2$/m);
    const stateLines = metrics.split('\n').filter((l) => l.startsWith('switchyard_deployment_state{'));
    // Configured deployments only: a client-named PROVIDER/MODEL would add a series per name.
    const configured = body.deployments.filter((d) => d.alias !== null);
    assert.ok(configured.length < body.deployments.length, 'the suite also used client-named deployments');
    assert.equal(stateLines.length, configured.length, 'one switchyard_deployment_state line per configured deployment');
  });
});

describe('logs', () => {
  it('one access-log line per request, and no secret in the logs', async () => {
    await assertOneAccessLogLinePerRequest(env.gateway, env.client.seen);
    assertNoSecretsInLogs(env.gateway, [UPSTREAM_KEY, MASTER_KEY, 'sk-wrong-upstream-key', 'sk-dead-test']);
  });
});
