// Instructions per request, counted by callgrind: a figure that does not depend on what
// else the host is doing, so two builds compare exactly (the same binary, inputs and
// environment give the same count). The gateway runs with one thread under
// `valgrind --tool=callgrind` against the harness's nginx upstream (bench/proxy/upstream.mjs);
// each case sends requests on one keep-alive connection, one after another: a warm-up,
// then N more twice, dumping callgrind's counters after each, and reports the second N's
// instructions / N (the whole process: every thread, user space), which leaves start-up and
// warm-up out. The first N's figure is logged to show the two agree.
//
//   node bench/instructions/run.mjs [--bin build/switchyard] [--requests 400] [--cases a,b]
//   node bench/instructions/run.mjs --bin /path/to/previous/switchyard --bin build/switchyard
//   ... --keep DIR    keeps each case's profile of the measured requests, for callgrind_annotate
//
// With several --bin, each case runs for each binary, and the table shows them side by side.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { upstreamServer } from '../proxy/upstream.mjs';
import { start, stop, waitForHttp } from '../proxy/processes.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const options = { bins: [], requests: 400, cases: null, keep: null };
for (let i = 2; i < process.argv.length; i += 2) {
  const [flag, value] = [process.argv[i], process.argv[i + 1]];
  if (flag === '--bin') options.bins.push(path.resolve(value));
  else if (flag === '--requests') options.requests = Number(value);
  else if (flag === '--cases') options.cases = value.split(',');
  else if (flag === '--keep') options.keep = path.resolve(value);
  else {
    console.error(`unknown argument ${flag}`);
    process.exit(2);
  }
}
if (options.bins.length === 0) options.bins.push(path.join(root, 'build/switchyard'));

const PORTS = { upstream: 18451, gateway: 18452 };
const work = mkdtempSync(path.join(tmpdir(), 'switchyard-instructions-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const log = (...args) => console.error('[instructions]', ...args);

const SYSTEM = 'You are a helpful assistant.';
const QUESTION = 'Say hello in one short sentence.';
const openai = (model, stream) => ({
  path: '/v1/chat/completions',
  headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
  body: JSON.stringify({ model, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: QUESTION }],
    temperature: 0.2, ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) }),
});
const anthropic = (model, stream) => ({
  path: '/v1/messages',
  headers: { 'content-type': 'application/json', 'x-api-key': 'sk-bench', 'anthropic-version': '2023-06-01' },
  body: JSON.stringify({ model, max_tokens: 256, system: SYSTEM, messages: [{ role: 'user', content: QUESTION }],
    temperature: 0.2, ...(stream ? { stream: true } : {}) }),
});

const responses = (model, stream) => ({
  path: '/v1/responses',
  headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
  body: JSON.stringify({ model, instructions: SYSTEM, input: [{ role: 'user', content: QUESTION }], temperature: 0.2,
    store: false, ...(stream ? { stream: true } : {}) }),
});

const CASES = {
  passthrough: openai('chat'),
  'responses passthrough': responses('responses'),
  'responses→anthropic': responses('claude'),
  'responses passthrough stream': responses('responses-stream', true),
  'responses→anthropic stream': responses('claude-stream', true),
  'openai→anthropic stream': openai('claude-stream', true),
  'passthrough stream': openai('chat-stream', true),
  'openai→anthropic': openai('claude'),
  'anthropic→openai stream': anthropic('chat-stream', true),
};

function gatewayConfig() {
  // A folder of its own: the gateway watches the configuration's folder, where the profiles
  // must not land.
  mkdirSync(path.join(work, 'config'), { recursive: true });
  const file = path.join(work, 'config', 'switchyard.yaml');
  const provider = (type, prefix) => `{type: ${type}, base_url: http://127.0.0.1:${PORTS.upstream}/${prefix}, api_key: sk-upstream}`;
  writeFileSync(file, [
    `server: {listen: 127.0.0.1:${PORTS.gateway}, threads: 1}`,
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

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function send(request) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: PORTS.gateway, method: 'POST', path: request.path,
      headers: request.headers, agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(request.body);
  });
}

async function sendMany(request, count) {
  for (let i = 0; i < count; i++) await send(request);
}

// Dumps callgrind's counters from the running gateway (the `number`th dump, counting
// instructions since the one before) and returns its total.
function dump(pid, out, number) {
  const done = spawnSync('callgrind_control', ['-d', String(pid)], { encoding: 'utf8' });
  if (done.status !== 0) throw new Error(`callgrind_control: ${done.stderr}`);
  const text = readFileSync(`${out}.${pid}.${number}`, 'utf8');
  const totals = text.match(/^totals:\s+(\d+)/m);
  if (!totals) throw new Error(`no totals in ${out}.${pid}.${number}`);
  return Number(totals[1]);
}

async function measure(binary, name) {
  const out = path.join(work, `callgrind.${name.replace(/\W+/g, '_')}`);
  const gateway = start('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}.%p`, binary, '--config', gatewayConfig()]);
  await waitForHttp(`http://127.0.0.1:${PORTS.gateway}/healthz`, 120000);
  const request = CASES[name];
  await sendMany(request, 20);  // warm-up: pools filled, code paged in
  dump(gateway.pid, out, 1);
  await sendMany(request, options.requests);
  const first = dump(gateway.pid, out, 2) / options.requests;
  await sendMany(request, options.requests);
  const second = dump(gateway.pid, out, 3) / options.requests;
  await stop(gateway);
  if (options.keep) {
    mkdirSync(options.keep, { recursive: true });
    const kept = path.join(options.keep, `${name.replace(/\W+/g, '_')}.${options.bins.indexOf(binary)}.callgrind`);
    copyFileSync(`${out}.${gateway.pid}.3`, kept);
    log(`profile of the measured requests: ${kept}`);
  }
  log(`${name}: ${(first / 1000).toFixed(1)}k then ${(second / 1000).toFixed(1)}k instructions per request`);
  return second;
}

async function main() {
  const upstream = start('nginx', ['-c', writeNginx(), '-p', work]);
  await waitForHttp(`http://127.0.0.1:${PORTS.upstream}/openai/v1/chat/completions`);
  const names = Object.keys(CASES).filter((name) => !options.cases || options.cases.includes(name));
  const rows = [];
  for (const name of names) {
    const row = { name, ir: [] };
    for (const binary of options.bins) {
      const ir = await measure(binary, name);
      log(`${name} ${binary}: ${(ir / 1000).toFixed(1)}k instructions per request`);
      row.ir.push(ir);
    }
    rows.push(row);
  }
  await stop(upstream);
  const header = `| case | ${options.bins.map((b) => path.relative(root, b) || b).join(' | ')} |`;
  console.log(header);
  console.log(`|---|${options.bins.map(() => '---:').join('|')}|`);
  for (const row of rows) {
    const cells = row.ir.map((ir, i) => {
      const text = `${(ir / 1000).toFixed(1)}k`;
      return i === 0 ? text : `${text} (${ir >= row.ir[0] ? '+' : ''}${(((ir - row.ir[0]) / row.ir[0]) * 100).toFixed(1)} %)`;
    });
    console.log(`| ${row.name} | ${cells.join(' | ')} |`);
  }
}

function writeNginx() {
  const file = path.join(work, 'upstream.conf');
  writeFileSync(file, ['daemon off;', 'worker_processes 1;', `pid ${work}/upstream.pid;`, `error_log ${work}/upstream.error.log warn;`,
    'events { worker_connections 1024; }', 'http {', '  access_log off;', '  keepalive_requests 1000000;',
    upstreamServer(PORTS.upstream), '}'].join('\n'));
  return file;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
