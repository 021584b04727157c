// What the usage ledger and the request metrics cost on the hot path: the same build, four
// gateways against the same fast upstream (bench/proxy/upstream.mjs): both off, the metrics
// alone, both on with the embedded SQLite ledger, both on with the ledger in a PostgreSQL
// server this script starts (on the same cores: its work is part of the cost here).
// wrk at 64 connections on the OpenAI passthrough path, non-streaming and streaming, in
// interleaved runs; medians; throughput as a ratio to the gateway with both off.
//
//   node bench/ledger/run.mjs [--duration 5] [--runs 3] [--threads N] [--out FILE.json]
//
// Prints a Markdown table on stdout (progress on stderr); exits 1 when any request failed.
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

import { startPostgres } from '../../tests/support/services.mjs';
import { cpuSeconds, processTree, sleep, start, waitForHttp } from '../proxy/processes.mjs';
import { upstreamServer } from '../proxy/upstream.mjs';
import { luaScript, wrk } from '../proxy/wrk.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const options = { duration: 5, runs: 3, threads: cpus().length, out: null };
for (let i = 2; i < process.argv.length; i += 2) {
  const [flag, value] = [process.argv[i], process.argv[i + 1]];
  if (flag === '--duration') options.duration = Number(value);
  else if (flag === '--runs') options.runs = Number(value);
  else if (flag === '--threads') options.threads = Number(value);
  else if (flag === '--out') options.out = value;
  else {
    console.error(`unknown argument ${flag}`);
    process.exit(2);
  }
}
const log = (...args) => console.error('[ledger]', ...args);
const PORTS = { upstream: 18411, off: 18412, metrics: 18413, sqlite: 18414, postgres: 18415 };
const host = (port) => `http://127.0.0.1:${port}`;
const work = mkdtempSync(path.join(tmpdir(), 'switchyard-bench-ledger-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const binary = process.env.SWITCHYARD_BIN ?? path.join(root, 'build/switchyard');
const nginxBinary = ['/usr/sbin/nginx', 'nginx'].find((candidate) => spawnSync(candidate, ['-v']).status === 0);

function gatewayConfig(name, storage) {
  const file = path.join(work, `${name}.yaml`);
  const provider = (prefix) => `{type: openai, base_url: ${host(PORTS.upstream)}/${prefix}, api_key: sk-upstream}`;
  writeFileSync(file, [
    `server: {listen: 127.0.0.1:${PORTS[name]}, threads: ${options.threads}}`,
    'auth: {master_key: sk-bench}',
    'log: {level: warn}',
    `storage: ${storage}`,
    `telemetry: {metrics: ${name !== 'off'}}`,
    'providers:',
    `  openai-json: ${provider('openai/v1')}`,
    `  openai-sse: ${provider('openai-stream/v1')}`,
    'models:',
    '  chat: {deployments: [{provider: openai-json, model: gpt-4o-mini}]}',
    '  chat-stream: {deployments: [{provider: openai-sse, model: gpt-4o-mini}]}',
  ].join('\n'));
  return file;
}

const body = (model, stream) => JSON.stringify({
  model, messages: [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: 'Say hello in one short sentence.' }],
  temperature: 0.2, ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
});
const headers = { 'Content-Type': 'application/json', Authorization: 'Bearer sk-bench' };
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

async function main() {
  log(`${cpus().length} cores; ${options.runs} runs of ${options.duration}s per variant and mode`);
  start(nginxBinary, ['-c', writeNginx(), '-p', work]);
  await waitForHttp(`${host(PORTS.upstream)}/openai/v1/chat/completions`);
  const postgres = await startPostgres();
  const gateways = {};
  const variants = {
    off: `{dir: ${work}/off, ledger: false}`,
    metrics: `{dir: ${work}/metrics, ledger: false}`,
    sqlite: `{dir: ${work}/sqlite}`,
    postgres: `{dir: ${work}/postgres, database: "${postgres.database()}"}`,
  };
  try {
    for (const [name, storage] of Object.entries(variants)) {
      gateways[name] = start(binary, ['--config', gatewayConfig(name, storage)], { log: openSync(path.join(work, `${name}.log`), 'a') });
      await waitForHttp(`${host(PORTS[name])}/healthz`);
    }
    const cases = [];
    for (const name of Object.keys(variants)) {
      for (const stream of [false, true]) {
        const request = { url: `${host(PORTS[name])}/v1/chat/completions`, headers, body: body(stream ? 'chat-stream' : 'chat', stream) };
        const answer = await fetch(request.url, { method: 'POST', headers, body: request.body });
        if (answer.status !== 200) throw new Error(`${name} answered ${answer.status}: ${await answer.text()}`);
        await answer.arrayBuffer();
        cases.push({ name, mode: stream ? 'stream' : 'json', url: request.url, script: luaScript(request, work), samples: [] });
      }
    }
    for (const c of cases) await wrk(c.url, c.script, 64, 1);  // warm-up
    for (let run = 1; run <= options.runs; run++) {
      for (const c of cases) {
        const pids = processTree(gateways[c.name].pid);
        const cpuBefore = cpuSeconds(pids);
        const sample = await wrk(c.url, c.script, 64, options.duration);
        sample.cpu_us = ((cpuSeconds(pids) - cpuBefore) * 1e6) / Math.max(1, sample.requests);
        c.samples.push(sample);
        log(`run ${run} ${c.name} ${c.mode}: ${Math.round(sample.rps)} req/s, ${sample.cpu_us.toFixed(1)} µs CPU/req`);
      }
    }
    await sleep(1000);  // the ledgers' last batches
    const results = cases.map((c) => ({
      variant: c.name, mode: c.mode, rps: median(c.samples.map((s) => s.rps)), cpu_us: median(c.samples.map((s) => s.cpu_us)),
      failures: c.samples.reduce((n, s) => n + s.non2xx + s.socket_errors, 0),
    }));
    const rows = [];
    rows.push('| variant | mode | req/s @64 | × off | CPU µs/req | failed |', '|---|---|---:|---:|---:|---:|');
    for (const r of results) {
      const off = results.find((o) => o.variant === 'off' && o.mode === r.mode);
      rows.push(`| ${r.variant} | ${r.mode} | ${Math.round(r.rps).toLocaleString('en-US')} | ${(r.rps / off.rps).toFixed(2)}× | ${r.cpu_us.toFixed(1)} | ${r.failures} |`);
    }
    console.log(rows.join('\n'));
    if (options.out) writeFileSync(options.out, JSON.stringify({ options, results }, null, 2));
    if (results.some((r) => r.failures > 0)) process.exitCode = 1;
  } finally {
    await postgres.stop();
  }
}

function writeNginx() {
  const file = path.join(work, 'upstream.conf');
  writeFileSync(file, [
    'daemon off;', 'worker_processes 1;', `pid ${work}/upstream.pid;`, `error_log ${work}/upstream.error.log warn;`,
    'events { worker_connections 4096; }', 'http {', '  access_log off;', '  keepalive_requests 1000000;',
    upstreamServer(PORTS.upstream), '}',
  ].join('\n'));
  return file;
}

main().then(() => process.exit(process.exitCode ?? 0), (err) => {
  console.error(err);
  process.exit(1);
});
