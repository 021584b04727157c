// What virtual keys with limits cost on the hot path: the same build, three gateways against
// the same fast upstream (bench/proxy/upstream.mjs), each with the ledger and metrics on:
// called with the master key (no limits), with a virtual key carrying every limit (rpm, tpm,
// parallel, a budget) counted in the process, and with the same key counted in a Redis server
// this script starts (on the same cores: its work is part of the cost here). wrk at 64
// connections on the OpenAI passthrough path, non-streaming and streaming, in interleaved
// runs; medians; throughput as a ratio to the master key. Then one connection, for the latency
// each adds over the upstream itself, beside nginx's proxy hop.
//
//   node bench/keys/run.mjs [--duration 5] [--runs 3] [--threads N] [--out FILE.json]
//
// Prints a Markdown table on stdout (progress on stderr); exits 1 when any request failed.
import { cpus } from 'node:os';
import { openSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { startRedis } from '../../tests/support/services.mjs';
import { benchOptions, gatewayBinary, interleavedRuns, median, nginxBinary, scratchDirectory } from '../common.mjs';
import { start, waitForHttp } from '../proxy/processes.mjs';
import { upstreamServer } from '../proxy/upstream.mjs';
import { luaScript, wrk } from '../proxy/wrk.mjs';

const options = benchOptions();
const log = (...args) => console.error('[keys]', ...args);
const PORTS = { upstream: 18421, nginx: 18422, master: 18423, local: 18424, redis: 18425 };
const host = (port) => `http://127.0.0.1:${port}`;
const work = scratchDirectory('keys');
const binary = gatewayBinary;

// Limits no run comes near: every check runs, none refuses.
const LIMITS = { rpm: 1e9, tpm: 1e12, max_parallel: 100000, budget: { usd: '1000000', period: 'month' } };

function gatewayConfig(name, redisUrl) {
  const file = path.join(work, `${name}.yaml`);
  const provider = (prefix) => `{type: openai, base_url: ${host(PORTS.upstream)}/${prefix}, api_key: sk-upstream}`;
  const price = 'price: {input: "0.15", output: "0.60"}';
  writeFileSync(file, [
    `server: {listen: 127.0.0.1:${PORTS[name]}, threads: ${options.threads}}`,
    'auth: {master_key: sk-bench}',
    'log: {level: warn}',
    `storage: {dir: ${work}/${name}${redisUrl ? `, redis: "${redisUrl}"` : ''}}`,
    'providers:',
    `  openai-json: ${provider('openai/v1')}`,
    `  openai-sse: ${provider('openai-stream/v1')}`,
    'models:',
    `  chat: {deployments: [{provider: openai-json, model: gpt-4o-mini, ${price}}]}`,
    `  chat-stream: {deployments: [{provider: openai-sse, model: gpt-4o-mini, ${price}}]}`,
  ].join('\n'));
  return file;
}

const body = (model, stream) => JSON.stringify({
  model, messages: [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: 'Say hello in one short sentence.' }],
  temperature: 0.2, max_tokens: 64, ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
});

async function createKey(port) {
  const res = await fetch(`${host(port)}/admin/keys`, {
    method: 'POST', headers: { authorization: 'Bearer sk-bench', 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', ...LIMITS }),
  });
  if (res.status !== 201) throw new Error(`creating the key: ${res.status} ${await res.text()}`);
  return (await res.json()).key;
}

async function main() {
  log(`${cpus().length} cores; ${options.runs} runs of ${options.duration}s per variant and mode`);
  start(nginxBinary, ['-c', writeNginx(), '-p', work]);
  await waitForHttp(`${host(PORTS.upstream)}/openai/v1/chat/completions`);
  const redis = await startRedis();
  const gateways = {};
  const secrets = {};
  try {
    for (const [name, redisUrl] of [['master', null], ['local', null], ['redis', redis.url]]) {
      gateways[name] = start(binary, ['--config', gatewayConfig(name, redisUrl)], { log: openSync(path.join(work, `${name}.log`), 'a') });
      await waitForHttp(`${host(PORTS[name])}/healthz`);
      secrets[name] = name === 'master' ? 'sk-bench' : await createKey(PORTS[name]);
    }
    const cases = [];
    for (const name of Object.keys(gateways)) {
      const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${secrets[name]}` };
      for (const stream of [false, true]) {
        const request = { url: `${host(PORTS[name])}/v1/chat/completions`, headers, body: body(stream ? 'chat-stream' : 'chat', stream) };
        const answer = await fetch(request.url, { method: 'POST', headers, body: request.body });
        if (answer.status !== 200) throw new Error(`${name} answered ${answer.status}: ${await answer.text()}`);
        await answer.arrayBuffer();
        cases.push({ name, mode: stream ? 'stream' : 'json', url: request.url, script: luaScript(request, work) });
      }
    }
    const pids = Object.fromEntries(Object.entries(gateways).map(([name, child]) => [name, child.pid]));
    const results = await interleavedRuns(cases, pids, options, log);
    // One connection: latency over the upstream itself, for each gateway and for nginx's hop.
    const single = {
      direct: { url: `${host(PORTS.upstream)}/openai/v1/chat/completions`, secret: 'sk-upstream' },
      nginx: { url: `${host(PORTS.nginx)}/openai/v1/chat/completions`, secret: 'sk-upstream' },
      master: { url: `${host(PORTS.master)}/v1/chat/completions`, secret: secrets.master },
      redis: { url: `${host(PORTS.redis)}/v1/chat/completions`, secret: secrets.redis },
    };
    const latency = {};
    for (const [name, target] of Object.entries(single)) {
      const request = { url: target.url, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${target.secret}` },
        body: body(name === 'direct' || name === 'nginx' ? 'gpt-4o-mini' : 'chat', false) };
      const script = luaScript(request, work);
      const samples = [];
      for (let run = 0; run < options.runs; run++) samples.push(await wrk(target.url, script, 1, options.duration));
      latency[name] = { p50: median(samples.map((s) => s.p50)), failures: samples.reduce((n, s) => n + s.non2xx + s.socket_errors, 0) };
      log(`1 connection ${name}: p50 ${latency[name].p50} µs`);
    }
    const rows = [];
    rows.push('| caller | mode | req/s @64 | × master key | CPU µs/req | failed |', '|---|---|---:|---:|---:|---:|');
    const label = { master: 'master key', local: 'limited key, in-process limits', redis: 'limited key, limits in Redis' };
    for (const r of results) {
      const master = results.find((o) => o.variant === 'master' && o.mode === r.mode);
      rows.push(`| ${label[r.variant]} | ${r.mode} | ${Math.round(r.rps).toLocaleString('en-US')} | ${(r.rps / master.rps).toFixed(2)}× | ${r.cpu_us.toFixed(1)} | ${r.failures} |`);
    }
    const added = (name) => latency[name].p50 - latency.direct.p50;
    rows.push('', '| one connection | p50 µs | added over the upstream |', '|---|---:|---:|');
    for (const name of Object.keys(latency)) {
      rows.push(`| ${name} | ${latency[name].p50} | ${name === 'direct' ? '' : `${added(name).toFixed(0)} µs`} |`);
    }
    rows.push('', `Limited key with Redis adds ${added('redis').toFixed(0)} µs; nginx's hop adds ${added('nginx').toFixed(0)} µs ` +
      `(target: at most the hop + 50 µs = ${(added('nginx') + 50).toFixed(0)} µs).`);
    console.log(rows.join('\n'));
    if (options.out) writeFileSync(options.out, JSON.stringify({ options, results, latency }, null, 2));
    if (results.some((r) => r.failures > 0) || Object.values(latency).some((l) => l.failures > 0)) process.exitCode = 1;
  } finally {
    await redis.stop();
  }
}

function writeNginx() {
  const file = path.join(work, 'upstream.conf');
  writeFileSync(file, [
    'daemon off;', `worker_processes ${options.threads};`, `pid ${work}/upstream.pid;`, `error_log ${work}/upstream.error.log warn;`,
    'events { worker_connections 4096; }', 'http {', '  access_log off;', '  keepalive_requests 1000000;',
    upstreamServer(PORTS.upstream),
    `  upstream mock { server 127.0.0.1:${PORTS.upstream}; keepalive 128; }`,
    '  server {',
    `    listen 127.0.0.1:${PORTS.nginx} reuseport;`,
    '    proxy_http_version 1.1;',
    '    proxy_set_header Connection "";',
    '    location / { proxy_pass http://mock; }',
    '  }',
    '}',
  ].join('\n'));
  return file;
}

main().then(() => process.exit(process.exitCode ?? 0), (err) => {
  console.error(err);
  process.exit(1);
});
