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
import { cpus } from 'node:os';
import { openSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { startPostgres } from '../../tests/support/services.mjs';
import { benchOptions, gatewayBinary, interleavedRuns, median, nginxBinary, scratchDirectory } from '../common.mjs';
import { sleep, start, waitForHttp } from '../proxy/processes.mjs';
import { upstreamServer } from '../proxy/upstream.mjs';
import { luaScript, wrk } from '../proxy/wrk.mjs';

const options = benchOptions();
const log = (...args) => console.error('[ledger]', ...args);
const PORTS = { upstream: 18411, off: 18412, metrics: 18413, sqlite: 18414, postgres: 18415 };
const host = (port) => `http://127.0.0.1:${port}`;
const work = scratchDirectory('ledger');
const binary = gatewayBinary;

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
        cases.push({ name, mode: stream ? 'stream' : 'json', url: request.url, script: luaScript(request, work) });
      }
    }
    const pids = Object.fromEntries(Object.entries(gateways).map(([name, child]) => [name, child.pid]));
    const results = await interleavedRuns(cases, pids, options, log);
    await sleep(1000);  // the ledgers' last batches
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
