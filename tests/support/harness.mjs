// Per-file fixtures: a mock upstream plus a gateway configured against it, started once in
// `before` and stopped in `after`, and the log checks every integration file ends with.

import assert from 'node:assert/strict';
import { after, before, beforeEach, it } from 'node:test';

import { startOpenAIMock } from '../mocks/openai-mock.mjs';
import { MASTER_KEY, UPSTREAM_KEY, gatewayConfig } from './config.mjs';
import { startGateway } from './gateway.mjs';
import { gatewayClient, waitFor } from './http.mjs';

/**
 * Registers before/after hooks that start the mock and a gateway; returns a context whose
 * `mock`, `gateway` and `client` are set once `before` ran. The mock is reset before each test.
 * options.config: overrides for gatewayConfig(), or a function (mock) => YAML text.
 * options.env: extra environment for the gateway.
 * options.clientKey: the key the client sends by default (defaults to the configured master key).
 */
export function useGatewayWithMock({ config = {}, env = {}, clientKey } = {}) {
  const ctx = { mock: null, gateway: null, client: null };
  before(async () => {
    ctx.mock = await startOpenAIMock({ apiKey: UPSTREAM_KEY });
    const yaml = typeof config === 'function' ? config(ctx.mock) : gatewayConfig({ mockUrl: ctx.mock.url, ...config });
    ctx.gateway = await startGateway({ config: yaml, env });
    const masterKey = typeof config === 'object' && 'masterKey' in config ? config.masterKey : MASTER_KEY;
    ctx.client = gatewayClient(ctx.gateway.url, { apiKey: clientKey === undefined ? masterKey : clientKey });
  });
  beforeEach(() => ctx.mock?.reset());
  after(async () => {
    await ctx.gateway?.stop();
    await ctx.mock?.close();
  });
  return ctx;
}

const HEALTH_PROBES = ['/healthz', '/readyz'];

/** Log lines that look like the access-log line of `request` (its id, path and status). */
function accessLogLines(logs, request) {
  const status = new RegExp(`(^|\\D)${request.status}(\\D|$)`);
  return logs
    .split('\n')
    .filter((line) => line.includes(request.id) && line.includes(request.path) && status.test(line));
}

/**
 * Asserts one access-log line per answered API request (found by request id + path + status). The
 * last lines may be written just after the response, so this polls briefly first.
 */
export async function assertOneAccessLogLinePerRequest(gateway, seen) {
  const missingIds = seen.filter((r) => !r.id);
  assert.deepEqual(missingIds, [], 'every response must carry x-request-id');
  // Health probes arrive every few seconds in production; the gateway deliberately keeps them
  // out of the access log.
  seen = seen.filter((r) => !HEALTH_PROBES.includes(r.path));
  assert.ok(seen.length > 0, 'no API requests were made');
  await waitFor(() => seen.every((r) => accessLogLines(gateway.logs(), r).length > 0), {
    timeoutMs: 3000,
    message: 'an access-log line for every request',
  }).catch(() => {});
  const wrong = seen
    .map((r) => ({ ...r, lines: accessLogLines(gateway.logs(), r) }))
    .filter((r) => r.lines.length !== 1);
  assert.deepEqual(
    wrong,
    [],
    `requests without exactly one access-log line (id + path + status).\n--- gateway logs ---\n${gateway.logs()}`,
  );
}

/** Asserts that none of `secrets` appears anywhere in the gateway's output. */
export function assertNoSecretsInLogs(gateway, secrets) {
  const logs = gateway.logs();
  for (const secret of secrets) {
    assert.ok(!logs.includes(secret), `gateway logs contain the secret ${JSON.stringify(secret)}`);
  }
}

/**
 * Registers the closing test of an integration file: every request of the file was access-logged
 * once, and no secret reached the logs. Call it after all other tests of the file.
 */
export function itKeepsLogsCleanAndComplete(ctx, { secrets = [UPSTREAM_KEY, MASTER_KEY] } = {}) {
  it('writes one access-log line per request and never logs a secret', async () => {
    await assertOneAccessLogLinePerRequest(ctx.gateway, ctx.client.seen);
    assertNoSecretsInLogs(ctx.gateway, secrets);
  });
}
