// Hedging benchmark: time to first token through the gateway when one deployment has a
// slow tail, with and without `hedge_after`. Everything runs on 127.0.0.1 and stops by
// itself; the report goes to bench/results/hedging-<date>.md.
//
//   node bench/hedging/run.mjs [--requests 200] [--tail 0.1] [--tail-ms 800] [--hedge-ms 150] [--out FILE]
//
// Exits 1 when hedging does not lower p99 time to first token: `make test` runs a short
// version so the benchmark cannot rot.
//
// The upstream answers streams; a fraction `tail` of the requests to the "flaky"
// deployment waits `tail-ms` before its first token, the rest answer in ~5 ms. A second,
// steady deployment answers every request in ~20 ms. The same request sequence runs
// against two aliases that differ only in hedge_after.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const REQUESTS = Number(args.requests ?? 200);
const TAIL = Number(args.tail ?? 0.1);
const TAIL_MS = Number(args['tail-ms'] ?? 800);
const HEDGE_MS = Number(args['hedge-ms'] ?? 150);
const BIN = process.env.SWITCHYARD_BIN ?? path.join(root, 'build', 'switchyard');

// Whether request number `i` is one of the slow ones: a fixed hash of its number, so both
// runs see exactly the same slow requests.
function isSlow(i) {
  const x = (Math.imul(i + 1, 2654435761) >>> 0) / 4294967296;
  return x < TAIL;
}

function startUpstream() {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const request = JSON.parse(body);
      const model = request.model;
      const index = Number(request.messages[0].content.split(' ')[1]);
      const delay = model === 'flaky' ? (isSlow(index) ? TAIL_MS : 5) : 20;
      const timer = setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = (delta, finish = null) =>
          `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
        res.write(chunk({ role: 'assistant', content: 'hi' }));
        res.write(chunk({}, 'stop'));
        res.end('data: [DONE]\n\n');
      }, delay);
      res.on('close', () => clearTimeout(timer));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function startGateway(upstreamPort) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-'));
  const config = path.join(dir, 'switchyard.yaml');
  const deployments = `
    deployments:
      - {provider: up, model: flaky, priority: 0}
      - {provider: up, model: steady, priority: 1}`;
  writeFileSync(
    config,
    `server: {listen: 127.0.0.1:0}
providers:
  up: {type: openai, base_url: http://127.0.0.1:${upstreamPort}/v1}
models:
  plain:${deployments}
  hedged:
    hedge_after: ${HEDGE_MS}ms${deployments}
`,
  );
  const proc = spawn(BIN, ['--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise((resolve, reject) => {
    let text = '';
    proc.stderr.on('data', (d) => {
      text += d;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    proc.once('exit', () => reject(new Error(`gateway exited:\n${text}`)));
  });
  return { proc, port };
}

// Time to first token: from sending the request to the first body bytes.
function ttft(port, model, index) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' } }, (res) => {
      let first = null;
      res.on('data', () => {
        first ??= Number(process.hrtime.bigint() - started) / 1e6;
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(first) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: `request ${index}` }] }));
  });
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

const upstream = await startUpstream();
const gateway = await startGateway(upstream.address().port);
const results = {};
try {
  for (const model of ['plain', 'hedged']) {
    const samples = [];
    for (let i = 0; i < REQUESTS; ++i) samples.push(await ttft(gateway.port, model, i));
    results[model] = { p50: percentile(samples, 50), p90: percentile(samples, 90), p99: percentile(samples, 99), max: Math.max(...samples) };
  }
} finally {
  gateway.proc.kill('SIGTERM');
  upstream.close();
}

const row = (name, r) => `| ${name} | ${r.p50.toFixed(1)} | ${r.p90.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} |`;
const report = `# Hedging benchmark, ${new Date().toISOString()}

Machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}. ${REQUESTS} sequential streaming requests per
alias; the first deployment delays its first token by ${TAIL_MS} ms on ${(TAIL * 100).toFixed(0)} % of requests (the same
ones in both runs), the second always answers in ~20 ms. Time to first token in ms, measured by the client.

| alias | p50 | p90 | p99 | max |
|---|---:|---:|---:|---:|
${row('plain (no hedging)', results.plain)}
${row(`hedged (hedge_after ${HEDGE_MS} ms)`, results.hedged)}

p99 with hedging is ${(results.plain.p99 / results.hedged.p99).toFixed(1)}× lower.
`;
process.stdout.write(report);
const out = args.out ?? path.join(root, 'bench', 'results', `hedging-${new Date().toISOString().slice(0, 10)}.md`);
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, report);
if (!(results.hedged.p99 < results.plain.p99)) {
  process.stderr.write('hedging did not lower p99 time to first token\n');
  process.exit(1);
}
