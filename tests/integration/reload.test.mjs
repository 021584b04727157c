// Hot reload: a new configuration replaces the running one without failing a request.
//
// - Under a closed-loop load of 64 connections (streaming and not), 20 reloads alternate two
//   valid files (an alias added and removed, deployments and weights changed) and 5 invalid
//   files are tried: no request fails, each is served by a deployment of a configuration in
//   force while it started, a deployment cooling down stays cooling down, and each invalid
//   file changes nothing and is reported as FILE:LINE.
// - Each trigger on its own: SIGHUP, the file watch (a write in place, a rename over the file,
//   a Kubernetes-style symlink swap) and POST /admin/reload; settings that need a restart are
//   reported; GET /admin/config describes the configuration in force with every secret redacted.

import assert from 'node:assert/strict';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startOpenAIMock } from '../mocks/openai-mock.mjs';
import { MASTER_KEY, UPSTREAM_KEY, toYaml } from '../support/config.mjs';
import { makeTempDir, startGateway } from '../support/gateway.mjs';
import { chatBody, gatewayClient, readJSON, waitFor } from '../support/http.mjs';

const CONNECTIONS = 64;
const VALID_RELOADS = 20;
const INVALID_FILES = 5;

/** A configuration: `version` 'a' or 'b' picks the deployments of alias `main`. */
function configText(mockUrl, version, { server = {} } = {}) {
  const weights = version === 'a' ? [1, 3] : [2, 1];
  const models = {
    main: {
      strategy: 'weighted',
      deployments: [1, 2].map((n, i) => ({ provider: 'up', model: `gpt-gen-${version}-${n}`, weight: weights[i] })),
    },
    // Kept by both versions, with the same breaker: its live state must survive every reload.
    cool: {
      cooldown: { failures: 1, window: '60s', duration: '120s' },
      deployments: [
        { provider: 'up', model: 'gpt-cool', priority: 0 },
        { provider: 'up', model: 'gpt-cool-backup', priority: 1 },
      ],
    },
  };
  if (version === 'a') models['only-in-a'] = { deployments: [{ provider: 'up', model: 'gpt-extra' }] };
  return toYaml({
    server: { listen: '127.0.0.1:0', ...server },
    auth: { master_key: MASTER_KEY },
    timeouts: { connect: '2s', first_byte: '5s', total: '30s' },
    providers: { up: { type: 'openai', base_url: mockUrl, api_key: UPSTREAM_KEY } },
    models,
  });
}

/** Invalid versions of a configuration, each with the line its first problem is on. */
function invalidFiles(mockUrl) {
  const valid = configText(mockUrl, 'a');
  const lines = valid.split('\n');
  const lineOf = (needle) => lines.findIndex((line) => line.includes(needle)) + 1;
  return [
    { text: valid.replace('strategy: weighted', 'strategy: fastest'), line: lineOf('strategy: weighted'), hint: /strategy/ },
    { text: valid.replace('    type: openai', '    type: openai\n    bsae_url: x'), line: lineOf('    type: openai') + 1, hint: /did you mean 'base_url'/ },
    { text: valid.replace('provider: up', 'provider: nobody'), line: lineOf('provider: up'), hint: /unknown provider 'nobody'/ },
    { text: valid.replace('first_byte: 5s', 'first_byte: soon'), line: lineOf('first_byte: 5s'), hint: /not a positive duration/ },
    { text: `${valid}models: [\n`, line: 0, hint: /invalid YAML/ },
  ];
}

/** Writes `text` to `file` as an editor does: a new file renamed over the old one. */
function replaceByRename(file, text) {
  const temporary = `${file}.tmp-${process.hrtime.bigint()}`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

const deploymentsOf = (version) => [1, 2].map((n) => `up/gpt-gen-${version}-${n}`);

describe('hot reload under load', () => {
  let mock;
  let gateway;
  let client;
  before(async () => {
    mock = await startOpenAIMock({ apiKey: UPSTREAM_KEY });
    gateway = await startGateway({ config: configText(mock.url, 'a') });
    client = gatewayClient(gateway.url, { apiKey: MASTER_KEY });
  });
  after(async () => {
    await gateway?.stop();
    await mock?.close();
  });

  const configHash = async () => (await readJSON(await client.get('/admin/config'))).hash;

  it('fails no request, serves each from its configuration, keeps cooldowns, refuses invalid files', async () => {
    // A deployment cooling down before the reloads (one 500 trips it: failures 1).
    mock.script([{ kind: 'status', status: 500 }]);
    const tripped = await client.chat(chatBody({ model: 'cool' }));
    assert.equal(tripped.status, 200);
    assert.equal(tripped.headers.get('x-switchyard-deployment'), 'up/gpt-cool-backup');
    await tripped.text();

    // Which configuration version each reload put in force, and when it surely had not yet
    // (sent) and surely had (done) replaced the previous one.
    const versions = ['a'];
    const switches = [];
    const results = [];
    let loading = true;

    async function worker(index) {
      let n = 0;
      while (loading) {
        const stream = (index + n++) % 2 === 0;
        const startedAt = performance.now();
        let res;
        try {
          res = await client.chat(chatBody({ model: 'main', stream, ...(stream ? { stream_options: { include_usage: true } } : {}) }));
        } catch (err) {
          results.push({ startedAt, error: String(err) });
          continue;
        }
        const headersAt = performance.now();
        const body = await res.text().catch((err) => `broken: ${err}`);
        const complete = stream ? body.trimEnd().endsWith('data: [DONE]') : body.includes('"chat.completion"');
        results.push({ startedAt, headersAt, status: res.status, complete, deployment: res.headers.get('x-switchyard-deployment'), body });
      }
    }
    const load = Array.from({ length: CONNECTIONS }, (_, i) => worker(i));

    const invalid = invalidFiles(mock.url);
    const triggers = ['api', 'watch', 'signal'];
    for (let i = 0; i < VALID_RELOADS + INVALID_FILES; i++) {
      await new Promise((resolve) => setTimeout(resolve, 60));
      if (i % 5 === 4) {
        // An invalid file: refused, reported as FILE:LINE, and nothing changes.
        const bad = invalid[(i - 4) / 5];
        const hashBefore = await configHash();
        writeFileSync(gateway.configPath, bad.text);
        const res = await client.request('/admin/reload', { method: 'POST' });
        assert.equal(res.status, 400);
        const answer = await readJSON(res);
        assert.equal(answer.error.code, 'invalid_config');
        const where = bad.line ? `${gateway.configPath}:${bad.line}: ` : `${gateway.configPath}:`;
        assert.ok(answer.errors.some((e) => e.startsWith(where) && bad.hint.test(e)), `${where} ${bad.hint}: ${answer.errors}`);
        assert.equal(await configHash(), hashBefore);
        continue;
      }
      const version = versions.at(-1) === 'a' ? 'b' : 'a';
      const text = configText(mock.url, version);
      const trigger = triggers[switches.length % triggers.length];
      const hashBefore = await configHash();
      const sent = performance.now();
      if (trigger === 'api') {
        writeFileSync(gateway.configPath, text);
        const res = await client.request('/admin/reload', { method: 'POST' });
        assert.equal(res.status, 200);
        const answer = await readJSON(res);
        assert.equal(answer.trigger, 'api');
        assert.deepEqual(answer.restart_required, []);
      } else if (trigger === 'watch') {
        replaceByRename(gateway.configPath, text);
      } else {
        writeFileSync(gateway.configPath, text);
        gateway.proc.kill('SIGHUP');
      }
      await waitFor(async () => (await configHash()) !== hashBefore, { timeoutMs: 3000, message: `the ${trigger} reload` });
      switches.push({ sent, done: performance.now() });
      versions.push(version);
      // The alias only version a has comes and goes with it.
      const models = (await readJSON(await client.get('/v1/models'))).data.map((m) => m.id);
      assert.equal(models.includes('only-in-a'), version === 'a', `models after reload ${switches.length}: ${models}`);
    }
    loading = false;
    await Promise.all(load);

    assert.equal(switches.length, VALID_RELOADS);
    assert.ok(results.length > 500, `only ${results.length} requests ran`);
    const failed = results.filter((r) => r.error || r.status !== 200 || !r.complete);
    assert.deepEqual(failed.slice(0, 3), [], `${failed.length} of ${results.length} requests failed`);

    // Each request started (at the gateway) between its send and its response headers; a
    // reload swapped configurations at some moment between its sent and done.
    const outside = results.filter((r) => {
      const first = switches.filter((s) => s.done < r.startedAt).length;
      const last = switches.filter((s) => s.sent <= r.headersAt).length;
      const allowed = versions.slice(first, last + 1).flatMap(deploymentsOf);
      return !allowed.includes(r.deployment);
    });
    assert.deepEqual(outside.slice(0, 3).map((r) => r.deployment), [], `${outside.length} requests were served by a configuration not in force`);

    // The deployment that was cooling down before the reloads still is.
    const cool = await client.chat(chatBody({ model: 'cool' }));
    assert.equal(cool.headers.get('x-switchyard-deployment'), 'up/gpt-cool-backup');
    await cool.text();
    const state = (await readJSON(await client.get('/admin/deployments'))).deployments.find((d) => d.model === 'gpt-cool');
    assert.equal(state.state, 'cooling_down');

    // Every refused file was counted, every accepted one too.
    const metrics = await (await client.get('/metrics')).text();
    const counter = (result) => Number(metrics.match(new RegExp(`switchyard_config_reloads_total\\{result="${result}"\\} (\\d+)`))[1]);
    assert.ok(counter('failure') >= INVALID_FILES, metrics);
    assert.ok(counter('success') >= VALID_RELOADS, metrics);
  });
});

describe('reload triggers', () => {
  let mock;
  before(async () => {
    mock = await startOpenAIMock({ apiKey: UPSTREAM_KEY });
  });
  after(() => mock?.close());

  async function started(args = []) {
    const gateway = await startGateway({ config: configText(mock.url, 'a'), args });
    return { gateway, client: gatewayClient(gateway.url, { apiKey: MASTER_KEY }) };
  }
  const describeConfig = async (client) => readJSON(await client.get('/admin/config'));
  const mainDeployments = async (client) =>
    (await readJSON(await client.get('/admin/deployments'))).deployments.filter((d) => d.alias === 'main').map((d) => d.model);

  it('SIGHUP reloads the file; an invalid file is logged as FILE:LINE and changes nothing', async () => {
    const { gateway, client } = await started(['--no-config-watch']);
    try {
      const before = await describeConfig(client);
      assert.equal(before.trigger, 'start');
      writeFileSync(gateway.configPath, configText(mock.url, 'b'));
      gateway.proc.kill('SIGHUP');
      await waitFor(async () => (await describeConfig(client)).hash !== before.hash, { message: 'the signal reload' });
      const afterSignal = await describeConfig(client);
      assert.equal(afterSignal.trigger, 'signal');
      assert.deepEqual(await mainDeployments(client), ['gpt-gen-b-1', 'gpt-gen-b-2']);

      const bad = invalidFiles(mock.url)[0];
      writeFileSync(gateway.configPath, bad.text);
      gateway.proc.kill('SIGHUP');
      const expectedLine = `${gateway.configPath}:${bad.line}: `;
      await waitFor(() => gateway.logs().includes(expectedLine), { message: 'the problem logged as FILE:LINE' });
      assert.match(gateway.logs(), /configuration reload failed; the running configuration stays in force/);
      assert.equal((await describeConfig(client)).hash, afterSignal.hash);
      const res = await client.chat(chatBody({ model: 'main' }));
      assert.equal(res.status, 200);
      await res.text();
    } finally {
      await gateway.stop();
    }
  });

  it('the file watch reloads on a write in place, a rename over the file, and a symlink swap', async () => {
    const { gateway, client } = await started();
    try {
      let hash = (await describeConfig(client)).hash;
      const changed = async (message) => {
        await waitFor(async () => (await describeConfig(client)).hash !== hash, { message });
        const now = await describeConfig(client);
        assert.equal(now.trigger, 'watch');
        hash = now.hash;
      };
      writeFileSync(gateway.configPath, configText(mock.url, 'b'));
      await changed('a write in place');
      assert.deepEqual(await mainDeployments(client), ['gpt-gen-b-1', 'gpt-gen-b-2']);
      replaceByRename(gateway.configPath, configText(mock.url, 'a'));
      await changed('a rename over the file');
      assert.deepEqual(await mainDeployments(client), ['gpt-gen-a-1', 'gpt-gen-a-2']);
      // Nothing reloads when the file did not change.
      writeFileSync(path.join(path.dirname(gateway.configPath), 'unrelated.txt'), 'hello');
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal((await describeConfig(client)).trigger, 'watch');
      assert.equal((await describeConfig(client)).hash, hash);
    } finally {
      await gateway.stop();
    }
  });

  it('the file watch follows a ConfigMap-style volume: a symlinked file whose directory link is swapped', async () => {
    // config.yaml -> ..data/config.yaml, ..data -> ..v1; an update makes ..v2 and renames a new
    // ..data link over the old one, as the kubelet does.
    const volume = makeTempDir();
    const version = (name, text) => {
      mkdirSync(path.join(volume, name));
      writeFileSync(path.join(volume, name, 'config.yaml'), text);
    };
    version('..v1', configText(mock.url, 'a'));
    symlinkSync('..v1', path.join(volume, '..data'));
    symlinkSync('..data/config.yaml', path.join(volume, 'config.yaml'));
    const configPath = path.join(volume, 'config.yaml');
    const gateway = await startGateway({ config: null, args: ['--config', configPath] });
    const client = gatewayClient(gateway.url, { apiKey: MASTER_KEY });
    try {
      const hash = (await describeConfig(client)).hash;
      version('..v2', configText(mock.url, 'b'));
      symlinkSync('..v2', path.join(volume, '..data_tmp'));
      renameSync(path.join(volume, '..data_tmp'), path.join(volume, '..data'));
      await waitFor(async () => (await describeConfig(client)).hash !== hash, { message: 'the symlink swap' });
      assert.deepEqual(await mainDeployments(client), ['gpt-gen-b-1', 'gpt-gen-b-2']);
    } finally {
      await gateway.stop();
    }
  });

  it('POST /admin/reload answers the new configuration, or 400 with every problem', async () => {
    const { gateway, client } = await started(['--no-config-watch']);
    try {
      writeFileSync(gateway.configPath, configText(mock.url, 'b'));
      const res = await client.request('/admin/reload', { method: 'POST' });
      assert.equal(res.status, 200);
      const answer = await readJSON(res);
      assert.equal(answer.trigger, 'api');
      assert.equal(answer.changed, true);
      assert.deepEqual(answer.restart_required, []);
      assert.deepEqual(Object.keys(answer.config.models).sort(), ['cool', 'main']);

      // Two problems at once, both reported.
      const valid = configText(mock.url, 'a');
      writeFileSync(gateway.configPath, valid.replace('strategy: weighted', 'strategy: fastest').replace('first_byte: 5s', 'first_byte: soon'));
      const refused = await client.request('/admin/reload', { method: 'POST' });
      assert.equal(refused.status, 400);
      const problems = (await readJSON(refused)).errors;
      assert.equal(problems.length, 2, problems.join('\n'));
      for (const problem of problems) assert.match(problem, new RegExp(`^${gateway.configPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: `));
      assert.deepEqual(await mainDeployments(client), ['gpt-gen-b-1', 'gpt-gen-b-2']);

      // Only the master key may reload.
      const anonymous = await client.request('/admin/reload', { method: 'POST', apiKey: 'sk-someone' });
      assert.equal(anonymous.status, 401);
      await anonymous.text();
    } finally {
      await gateway.stop();
    }
  });

  it('reports settings that need a restart instead of ignoring them', async () => {
    const { gateway, client } = await started(['--no-config-watch']);
    try {
      writeFileSync(gateway.configPath, configText(mock.url, 'b', { server: { listen: '127.0.0.1:1', threads: 3 } }));
      const res = await client.request('/admin/reload', { method: 'POST' });
      assert.equal(res.status, 200);
      assert.deepEqual((await readJSON(res)).restart_required, ['server.listen', 'server.threads']);
      await waitFor(() => /some changed settings apply only after a restart.*server\.listen,server\.threads/.test(gateway.logs()),
                    { message: 'a warning naming the settings' });
      // Still serving where it was.
      const health = await client.get('/healthz');
      assert.equal(health.status, 200);
      await health.text();
    } finally {
      await gateway.stop();
    }
  });

  it('GET /admin/config describes the configuration in force, every secret redacted', async () => {
    const { gateway, client } = await started(['--no-config-watch']);
    try {
      const res = await client.get('/admin/config');
      assert.equal(res.status, 200);
      const text = await res.text();
      for (const secret of [MASTER_KEY, UPSTREAM_KEY]) assert.ok(!text.includes(secret), `the answer shows ${secret}`);
      const info = JSON.parse(text);
      assert.deepEqual(Object.keys(info), ['hash', 'loaded_at', 'source', 'trigger', 'config']);
      assert.match(info.hash, /^[0-9a-f]{64}$/);
      assert.match(info.loaded_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      assert.equal(info.source, gateway.configPath);
      assert.equal(info.trigger, 'start');
      assert.equal(info.config.auth.master_key, '[redacted]');
      assert.equal(info.config.providers.up.api_key, '[redacted]');
      assert.equal(info.config.providers.up.base_url, mock.url);
      assert.deepEqual(info.config.models.main.deployments.map((d) => [d.model, d.weight]), [['gpt-gen-a-1', 1], ['gpt-gen-a-2', 3]]);
      const denied = await client.get('/admin/config', { apiKey: null });
      assert.equal(denied.status, 401);
      await denied.text();
    } finally {
      await gateway.stop();
    }
  });
});
