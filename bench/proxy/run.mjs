// Proxy overhead against the same fast upstream (bench/proxy/upstream.mjs), for every
// target of issue 5: the upstream itself (`direct`), nginx as a keep-alive reverse proxy,
// Switchyard passthrough with master-key auth (Chat Completions and the Responses API, each
// against nginx proxying the same answers), Switchyard translating (OpenAI client -> Anthropic
// upstream, Anthropic client -> OpenAI, Gemini client -> OpenAI, Responses client -> Anthropic), and the
// Portkey gateway (OpenAI -> OpenAI). Each target is measured non-streaming and streaming,
// with wrk at 1 connection (latency) and 64 connections (throughput), --runs times,
// interleaved so drift on this shared machine spreads over every target. Also the CPU time
// per request and the memory (idle, peak under load, after load) of each system under test.
//
//   node bench/proxy/run.mjs [--duration 5] [--runs 3] [--threads N] [--out FILE.json] [--only a,b]
//                            [--after-wait 40]   (seconds idle before the after-load memory figure)
//
// Prints progress on stderr and writes the figures as JSON (bench/run.sh turns them into
// the report). Exits 1 when any request failed (non-2xx or socket error). Everything runs
// on 127.0.0.1 and everything started is stopped on exit.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, processTree, rssKiB, sleep, start, stop, waitForHttp } from './processes.mjs';
import { upstreamServer } from './upstream.mjs';
import { luaScript, wrk } from './wrk.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

const options = { duration: 5, runs: 3, threads: cpus().length, out: null, only: null, afterWait: 40 };
for (let i = 2; i < process.argv.length; i += 2) {
  const [flag, value] = [process.argv[i], process.argv[i + 1]];
  if (flag === '--duration') options.duration = Number(value);
  else if (flag === '--runs') options.runs = Number(value);
  else if (flag === '--threads') options.threads = Number(value);
  else if (flag === '--out') options.out = value;
  else if (flag === '--only') options.only = value.split(',');
  else if (flag === '--after-wait') options.afterWait = Number(value);
  else {
    console.error(`unknown argument ${flag}`);
    process.exit(2);
  }
}
const log = (...args) => console.error('[proxy]', ...args);

const PORTS = { upstream: 18401, nginx: 18402, switchyard: 18403, portkey: 18404 };
const host = (port) => `http://127.0.0.1:${port}`;
const work = mkdtempSync(path.join(tmpdir(), 'switchyard-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const binary = process.env.SWITCHYARD_BIN ?? path.join(root, 'build/switchyard');
const nginxBinary = ['/usr/sbin/nginx', 'nginx'].find((candidate) => spawnSync(candidate, ['-v']).status === 0);
if (!nginxBinary) throw new Error('nginx is not installed (scripts/install-deps.sh installs it)');

// ---- the systems under test -----------------------------------------------------------

function nginxConfig(name, workers, servers) {
  const file = path.join(work, `${name}.conf`);
  writeFileSync(file, [
    'daemon off;',
    `worker_processes ${workers};`,
    `pid ${work}/${name}.pid;`,
    `error_log ${work}/${name}.error.log warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    '  keepalive_requests 1000000;',
    servers,
    '}',
  ].join('\n'));
  return file;
}

// The proxy baseline: the same worker count as the gateway's threads, keep-alive to the
// upstream, and streams relayed as they come (buffering off, as nginx is set up for SSE).
function nginxProxyServer() {
  return [
    `  upstream mock { server 127.0.0.1:${PORTS.upstream}; keepalive 128; }`,
    '  server {',
    `    listen 127.0.0.1:${PORTS.nginx} reuseport;`,
    '    proxy_http_version 1.1;',
    '    proxy_set_header Connection "";',
    '    location / { proxy_pass http://mock; }',
    '    location ~ -stream/ { proxy_pass http://mock; proxy_buffering off; }',
    '  }',
  ].join('\n');
}

function gatewayConfig() {
  const file = path.join(work, 'switchyard.yaml');
  const provider = (type, prefix) => `{type: ${type}, base_url: ${host(PORTS.upstream)}/${prefix}, api_key: sk-upstream}`;
  writeFileSync(file, [
    `server: {listen: 127.0.0.1:${PORTS.switchyard}, threads: ${options.threads}}`,
    'auth: {master_key: sk-bench}',
    'log: {level: warn}',
    'providers:',
    `  openai-json: ${provider('openai', 'openai/v1')}`,
    `  openai-sse: ${provider('openai', 'openai-stream/v1')}`,
    `  anthropic-json: ${provider('anthropic', 'anthropic')}`,
    `  anthropic-sse: ${provider('anthropic', 'anthropic-stream')}`,
    'models:',
    '  chat: {deployments: [{provider: openai-json, model: gpt-4o-mini}]}',
    '  chat-stream: {deployments: [{provider: openai-sse, model: gpt-4o-mini}]}',
    '  claude: {deployments: [{provider: anthropic-json, model: claude-sonnet-4-5}]}',
    '  claude-stream: {deployments: [{provider: anthropic-sse, model: claude-sonnet-4-5}]}',
    '  responses: {deployments: [{provider: openai-json, model: gpt-4.1, api: responses}]}',
    '  responses-stream: {deployments: [{provider: openai-sse, model: gpt-4.1, api: responses}]}',
  ].join('\n'));
  return file;
}

// ---- the requests ---------------------------------------------------------------------

const SYSTEM = 'You are a helpful assistant.';
const QUESTION = 'Say hello in one short sentence.';
const openaiBody = (model, stream) => JSON.stringify({
  model, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: QUESTION }], temperature: 0.2,
  ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
});
const anthropicBody = (model, stream) => JSON.stringify({
  model, max_tokens: 256, system: SYSTEM, messages: [{ role: 'user', content: QUESTION }], temperature: 0.2,
  ...(stream ? { stream: true } : {}),
});
const responsesBody = (model, stream) => JSON.stringify({
  model, instructions: SYSTEM, input: [{ role: 'user', content: QUESTION }], temperature: 0.2, store: false,
  ...(stream ? { stream: true } : {}),
});
const geminiBody = () => JSON.stringify({
  systemInstruction: { parts: [{ text: SYSTEM }] }, contents: [{ role: 'user', parts: [{ text: QUESTION }] }],
  generationConfig: { temperature: 0.2 },
});
const openaiHeaders = { 'Content-Type': 'application/json', Authorization: 'Bearer sk-bench' };

// Each target: the system under test it belongs to, and per mode (json, stream) the URL,
// headers and body wrk sends. `baseline` is the direct target of the same upstream format.
const TARGETS = [
  { name: 'direct', sut: null, baseline: 'direct',
    json: { url: `${host(PORTS.upstream)}/openai/v1/chat/completions`, headers: openaiHeaders, body: openaiBody('gpt-4o-mini') },
    stream: { url: `${host(PORTS.upstream)}/openai-stream/v1/chat/completions`, headers: openaiHeaders,
      body: openaiBody('gpt-4o-mini', true) } },
  { name: 'direct-anthropic', sut: null, baseline: 'direct-anthropic',
    json: { url: `${host(PORTS.upstream)}/anthropic/v1/messages`, headers: openaiHeaders, body: anthropicBody('claude') },
    stream: { url: `${host(PORTS.upstream)}/anthropic-stream/v1/messages`, headers: openaiHeaders,
      body: anthropicBody('claude', true) } },
  { name: 'direct-responses', sut: null, baseline: 'direct-responses',
    json: { url: `${host(PORTS.upstream)}/openai/v1/responses`, headers: openaiHeaders, body: responsesBody('gpt-4.1') },
    stream: { url: `${host(PORTS.upstream)}/openai-stream/v1/responses`, headers: openaiHeaders, body: responsesBody('gpt-4.1', true) } },
  { name: 'nginx responses', sut: 'nginx', baseline: 'direct-responses',
    json: { url: `${host(PORTS.nginx)}/openai/v1/responses`, headers: openaiHeaders, body: responsesBody('gpt-4.1') },
    stream: { url: `${host(PORTS.nginx)}/openai-stream/v1/responses`, headers: openaiHeaders, body: responsesBody('gpt-4.1', true) } },
  { name: 'switchyard responses', sut: 'switchyard', baseline: 'direct-responses',
    json: { url: `${host(PORTS.switchyard)}/v1/responses`, headers: openaiHeaders, body: responsesBody('responses') },
    stream: { url: `${host(PORTS.switchyard)}/v1/responses`, headers: openaiHeaders, body: responsesBody('responses-stream', true) } },
  { name: 'switchyard responses→anthropic', sut: 'switchyard', baseline: 'direct-anthropic',
    json: { url: `${host(PORTS.switchyard)}/v1/responses`, headers: openaiHeaders, body: responsesBody('claude') },
    stream: { url: `${host(PORTS.switchyard)}/v1/responses`, headers: openaiHeaders, body: responsesBody('claude-stream', true) } },
  { name: 'nginx', sut: 'nginx', baseline: 'direct',
    json: { url: `${host(PORTS.nginx)}/openai/v1/chat/completions`, headers: openaiHeaders, body: openaiBody('gpt-4o-mini') },
    stream: { url: `${host(PORTS.nginx)}/openai-stream/v1/chat/completions`, headers: openaiHeaders,
      body: openaiBody('gpt-4o-mini', true) } },
  { name: 'switchyard', sut: 'switchyard', baseline: 'direct',
    json: { url: `${host(PORTS.switchyard)}/v1/chat/completions`, headers: openaiHeaders, body: openaiBody('chat') },
    stream: { url: `${host(PORTS.switchyard)}/v1/chat/completions`, headers: openaiHeaders, body: openaiBody('chat-stream', true) } },
  { name: 'switchyard openai→anthropic', sut: 'switchyard', baseline: 'direct-anthropic',
    json: { url: `${host(PORTS.switchyard)}/v1/chat/completions`, headers: openaiHeaders, body: openaiBody('claude') },
    stream: { url: `${host(PORTS.switchyard)}/v1/chat/completions`, headers: openaiHeaders, body: openaiBody('claude-stream', true) } },
  { name: 'switchyard anthropic→openai', sut: 'switchyard', baseline: 'direct',
    json: { url: `${host(PORTS.switchyard)}/v1/messages`, body: anthropicBody('chat'),
      headers: { 'Content-Type': 'application/json', 'x-api-key': 'sk-bench', 'anthropic-version': '2023-06-01' } },
    stream: { url: `${host(PORTS.switchyard)}/v1/messages`, body: anthropicBody('chat-stream', true),
      headers: { 'Content-Type': 'application/json', 'x-api-key': 'sk-bench', 'anthropic-version': '2023-06-01' } } },
  { name: 'switchyard gemini→openai', sut: 'switchyard', baseline: 'direct',
    json: { url: `${host(PORTS.switchyard)}/v1beta/models/chat:generateContent`, body: geminiBody(),
      headers: { 'Content-Type': 'application/json', 'x-goog-api-key': 'sk-bench' } },
    stream: { url: `${host(PORTS.switchyard)}/v1beta/models/chat-stream:streamGenerateContent?alt=sse`, body: geminiBody(),
      headers: { 'Content-Type': 'application/json', 'x-goog-api-key': 'sk-bench' } } },
  { name: 'portkey', sut: 'portkey', baseline: 'direct',
    json: { url: `${host(PORTS.portkey)}/v1/chat/completions`, body: openaiBody('gpt-4o-mini'),
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer sk-upstream', 'x-portkey-provider': 'openai',
        'x-portkey-custom-host': `${host(PORTS.upstream)}/openai/v1` } },
    stream: { url: `${host(PORTS.portkey)}/v1/chat/completions`, body: openaiBody('gpt-4o-mini', true),
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer sk-upstream', 'x-portkey-provider': 'openai',
        'x-portkey-custom-host': `${host(PORTS.upstream)}/openai-stream/v1` } } },
].filter((target) => !options.only || options.only.includes(target.name) || target.sut === null);

const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : NaN;
};

// ---- the run --------------------------------------------------------------------------

const suts = {};
const memory = {};

function sampleMemory(name) {
  const sut = suts[name];
  if (!sut) return;
  const rss = rssKiB(processTree(sut.pid));
  memory[name].peak_kb = Math.max(memory[name].peak_kb ?? 0, rss);
}

// A port something else already listens on would silently share our reuseport listeners.
async function assertPortsFree() {
  for (const [name, port] of Object.entries(PORTS)) {
    const answered = await fetch(host(port), { signal: AbortSignal.timeout(500) }).then(() => true, () => false);
    if (answered) throw new Error(`port ${port} (${name}) is already in use; stop what listens there first`);
  }
}

async function startSystems() {
  await assertPortsFree();
  const upstream = start(nginxBinary, ['-c', nginxConfig('upstream', 1, upstreamServer(PORTS.upstream)), '-p', work]);
  await waitForHttp(`${host(PORTS.upstream)}/openai/v1/chat/completions`);
  const wanted = new Set(TARGETS.map((target) => target.sut).filter(Boolean));
  if (wanted.has('nginx')) {
    suts.nginx = start(nginxBinary, ['-c', nginxConfig('proxy', options.threads, nginxProxyServer()), '-p', work]);
    await waitForHttp(`${host(PORTS.nginx)}/openai/v1/chat/completions`);
  }
  if (wanted.has('switchyard')) {
    suts.switchyard = start(binary, ['--config', gatewayConfig()], { log: openSync(path.join(work, 'gateway.log'), 'a') });
    await waitForHttp(`${host(PORTS.switchyard)}/healthz`);
  }
  if (wanted.has('portkey')) {
    suts.portkey = start(path.join(root, 'bench/peers/portkey.sh'), [String(PORTS.portkey)],
      { env: { ...process.env, PORTKEY_LOG: path.join(work, 'portkey.log') } });
    await waitForHttp(`${host(PORTS.portkey)}/`, 120000);  // the first start installs it from npm
  }
  await sleep(1000);
  for (const name of Object.keys(suts)) memory[name] = { start_kb: rssKiB(processTree(suts[name].pid)) };
  return upstream;
}

async function main() {
  log(`${cpus().length} cores; ${options.runs} runs of ${options.duration}s per target, mode and load`);
  const upstream = await startSystems();
  const cases = [];
  for (const target of TARGETS) {
    for (const mode of ['json', 'stream']) {
      for (const connections of [1, 64]) {
        cases.push({ target, mode, connections, script: luaScript(target[mode], work), samples: [], cpu: 0 });
      }
    }
  }
  // Every target must answer 200 before anything is measured: a fast error is no figure.
  for (const c of cases.filter((c) => c.connections === 1)) {
    const request = c.target[c.mode];
    const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body });
    const text = await response.text();
    if (response.status !== 200) {
      throw new Error(`${c.target.name} (${c.mode}) answered ${response.status}: ${text.slice(0, 500)}`);
    }
  }
  // Idle, once every path has run: the code a first request pages in is not load memory.
  await sleep(1000);
  for (const name of Object.keys(suts)) memory[name].idle_kb = rssKiB(processTree(suts[name].pid));
  // Warm-up: pools filled, Portkey's JIT hot; not measured.
  for (const c of cases.filter((c) => c.connections === 64)) await wrk(c.target[c.mode].url, c.script, 64, 1);

  for (let run = 1; run <= options.runs; run++) {
    for (const c of cases) {
      const pids = c.target.sut ? processTree(suts[c.target.sut].pid) : [];
      const sampler = c.target.sut ? setInterval(() => sampleMemory(c.target.sut), 100) : null;
      const cpuBefore = cpuSeconds(pids);
      const sample = await wrk(c.target[c.mode].url, c.script, c.connections, options.duration);
      sample.cpu_s = cpuSeconds(pids) - cpuBefore;
      if (sampler) clearInterval(sampler);
      c.samples.push(sample);
      log(`run ${run} ${c.target.name} ${c.mode} c${c.connections}: ${Math.round(sample.rps)} req/s, ` +
        `p50 ${Math.round(sample.p50)} µs, p99 ${Math.round(sample.p99)} µs${sample.non2xx + sample.socket_errors ? `, ${sample.non2xx} non-2xx, ${sample.socket_errors} socket errors` : ''}`);
    }
  }

  // Memory after load: past the gateway's 30 s limit on idle upstream connections, which
  // a burst leaves pooled (the other systems idle just as long).
  log(`idling ${options.afterWait}s for the after-load memory figure`);
  await sleep(options.afterWait * 1000);
  for (const name of Object.keys(suts)) memory[name].after_kb = rssKiB(processTree(suts[name].pid));

  const results = cases.map((c) => {
    const requests = c.samples.reduce((sum, s) => sum + s.requests, 0);
    const cpu = c.samples.reduce((sum, s) => sum + s.cpu_s, 0);
    return {
      target: c.target.name, sut: c.target.sut, baseline: c.target.baseline, mode: c.mode, connections: c.connections,
      rps: median(c.samples.map((s) => s.rps)), p50_us: median(c.samples.map((s) => s.p50)),
      p99_us: median(c.samples.map((s) => s.p99)), requests,
      errors: c.samples.reduce((sum, s) => sum + s.non2xx + s.socket_errors, 0),
      cpu_us_per_request: c.target.sut && requests ? (cpu / requests) * 1e6 : null,
      runs: c.samples,
    };
  });
  for (const sut of Object.values(suts)) await stop(sut);
  await stop(upstream);

  const report = { duration_s: options.duration, runs: options.runs, threads: options.threads,
    after_wait_s: options.afterWait, results, memory };
  if (options.out) writeFileSync(options.out, JSON.stringify(report, null, 2));
  else console.log(JSON.stringify(report, null, 2));
  const failed = results.filter((r) => r.errors > 0);
  for (const r of failed) log(`FAILED: ${r.target} ${r.mode} c${r.connections}: ${r.errors} failed requests`);
  process.exit(failed.length ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
