#!/usr/bin/env node
// The harness's report (bench/run.sh): issue 5's targets checked against one run's
// figures, then the tables they come from. Every ratio compares targets measured in the
// same run, interleaved: absolute times on a shared machine drift.
//
//   node bench/report.mjs --proxy P.json --streams S.json --micro M.json [--title T] > report.md
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const read = (file) => (file ? JSON.parse(readFileSync(file, 'utf8')) : null);
const proxy = read(args.proxy);
const streams = read(args.streams);
const microFile = args.micro;
const micro = read(microFile);

const round = (value, digits = 0) => (Number.isFinite(value) ? Number(value.toFixed(digits)).toLocaleString('en-US') : '–');
const ratio = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');
const mb = (kb) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(1)} MB` : '–');
const mark = (ok) => (ok === null || ok === undefined ? '–' : ok ? '✅' : '❌');

function tool(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n')[0].trim() || 'unknown';
}

// ---- the figures ----------------------------------------------------------------------

const result = (target, mode, connections) =>
  proxy?.results.find((r) => r.target === target && r.mode === mode && r.connections === connections);
// Latency a target adds over the upstream it talks to (its own format's `direct`).
function added(target, mode, key) {
  const r = result(target, mode, 1);
  const base = r && result(r.baseline, mode, 1);
  return r && base ? r[key] - base[key] : NaN;
}
const throughput = (target, mode) => result(target, mode, 64)?.rps ?? NaN;
const cpuPerRequest = (target, mode) => result(target, mode, 64)?.cpu_us_per_request ?? NaN;

const translated = ['switchyard openai→anthropic', 'switchyard anthropic→openai', 'switchyard gemini→openai',
  'switchyard responses→anthropic'];
// With --benchmark_repetitions only the aggregates are there: take the medians.
const microRows = (() => {
  const all = micro?.benchmarks ?? [];
  const medians = all.filter((b) => b.run_type === 'aggregate' && b.aggregate_name === 'median');
  return medians.length ? medians.map((b) => ({ ...b, name: b.run_name })) : all;
})();
const translateRows = microRows.filter((b) => /^BM_Translate\/[^/]+\/10KB$/.test(b.name));
const toUs = { ns: 1e-3, us: 1, ms: 1e3, s: 1e6 };
const slowestTranslate = translateRows.reduce((worst, b) => {
  const us = b.cpu_time * (toUs[b.time_unit] ?? 1e-3);
  return !worst || us > worst.us ? { name: b.name, us } : worst;
}, null);

const targets = [];
const target = (name, measured, goal, ok) => targets.push({ name, measured, goal, ok });
if (proxy) {
  for (const mode of ['json', 'stream']) {
    const what = mode === 'json' ? '' : ' (streaming)';
    const sy50 = added('switchyard', mode, 'p50_us');
    const ng50 = added('nginx', mode, 'p50_us');
    target(`Added p50 latency at 1 connection${what}`, `${round(sy50)} µs (nginx ${round(ng50)} µs)`, '≤ nginx', sy50 <= ng50);
    // A tail is noisier than a median: an added p99 can come out below the added p50, even
    // negative (the direct run's tail was the slow one); the added p50 is then the floor of
    // what the system adds. The same floor for both, so noise passes neither.
    const sy99 = Math.max(added('switchyard', mode, 'p99_us'), sy50);
    const ng99 = Math.max(added('nginx', mode, 'p99_us'), ng50);
    target(`Added p99 latency at 1 connection${what}`, `${round(sy99)} µs (nginx ${round(ng99)} µs)`, '≤ 2× nginx',
      sy99 <= 2 * ng99);
    const passthrough = throughput('switchyard', mode) / throughput('nginx', mode);
    target(`Passthrough throughput at 64 connections${what}`, ratio(passthrough) + ' nginx', '≥ 1.0× nginx', passthrough >= 1);
    // The Responses API passthrough, against nginx proxying the same Responses answers.
    const responses = throughput('switchyard responses', mode) / throughput('nginx responses', mode);
    target(`Responses passthrough throughput${what}`, ratio(responses) + ' nginx', '≥ 0.8× nginx', responses >= 0.8);
    for (const name of translated) {
      const value = throughput(name, mode) / throughput('nginx', mode);
      target(`${name.replace('switchyard ', 'Translated ')} throughput${what}`, ratio(value) + ' nginx', '≥ 0.8× nginx',
        value >= 0.8);
    }
    const cpu = cpuPerRequest('switchyard', mode);
    const nginxCpu = cpuPerRequest('nginx', mode);
    target(`CPU per passthrough request${what}`, `${round(cpu, 1)} µs (nginx ${round(nginxCpu, 1)} µs)`, '≤ nginx',
      cpu <= nginxCpu);
    const peer = throughput('switchyard', mode) / throughput('portkey', mode);
    target(`Throughput against Portkey${what}`, ratio(peer) + ' Portkey', '≥ 20× Portkey', peer >= 20);
  }
  const memory = proxy.memory.switchyard;
  if (memory) {
    target('RSS idle', mb(memory.idle_kb), '≤ 20 MB', memory.idle_kb <= 20 * 1024);
    target('RSS after load (proxy runs)', `${mb(memory.after_kb)} (idle ${mb(memory.idle_kb)})`, '≤ idle + 10 %',
      memory.after_kb <= memory.idle_kb * 1.1);
  }
}
if (streams) {
  target(`${round(streams.streams)} simultaneous slow streams`,
    `${round(streams.ok)} held, ${round(streams.errors)} errors, peak RSS ${mb(streams.rss_peak_kb)}`,
    'no errors, ≤ 300 MB', streams.errors === 0 && streams.ok === streams.streams && streams.rss_peak_kb <= 300 * 1024);
  const settled = streams.rss_settled_kb ?? streams.rss_after5_kb;
  target(`RSS ${streams.rss_settled_kb ? streams.settle_s : 5} s after the streams`,
    `${mb(settled)} (before them ${mb(streams.rss_idle_kb)})`, '≤ idle + 10 %', settled <= streams.rss_idle_kb * 1.1);
}
if (slowestTranslate) {
  target('Translating a 10 KB request (slowest pair)', `${slowestTranslate.us.toFixed(1)} µs (${slowestTranslate.name})`,
    '≤ 20 µs', slowestTranslate.us <= 20);
}

// ---- the report -----------------------------------------------------------------------

const out = [];
const commit = (() => {
  try {
    return execFileSync('git', ['-C', path.join(here, '..'), 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
out.push(`# ${args.title ?? 'Switchyard performance report'}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
out.push('');
out.push(`- Machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}`);
out.push(`- Switchyard ${commit}; ${tool('nginx', ['-v'])}; ${tool('wrk', ['-v'])}; node ${process.version}; ` +
  `Portkey ${readPeerVersion()}`);
if (proxy) {
  out.push(`- Proxy runs: wrk, ${proxy.runs} × ${proxy.duration_s} s per target, mode and load, interleaved; medians. ` +
    `Gateway and nginx proxy with ${proxy.threads} threads / workers; one nginx worker as the upstream.`);
}
out.push('');
out.push('## Targets (issue 5)');
out.push('');
out.push('| target | measured | goal | met |');
out.push('|---|---|---|:-:|');
for (const t of targets) out.push(`| ${t.name} | ${t.measured} | ${t.goal} | ${mark(t.ok)} |`);
out.push('');

if (proxy) {
  for (const mode of ['json', 'stream']) {
    out.push(mode === 'json' ? '## Non-streaming requests' : '## Streaming requests (20-token SSE answers)');
    out.push('');
    out.push('Latency in µs at 1 connection; added = target minus `direct` of the same upstream format. ' +
      'Throughput and p99 at 64 connections; CPU = the system under test\'s CPU time per request at 64 connections.');
    out.push('');
    out.push('| target | p50 @1 | p99 @1 | added p50 | added p99 | req/s @64 | × nginx | × direct | p99 @64 | CPU µs/req |');
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    const nginx = throughput('nginx', mode);
    const direct = throughput('direct', mode);
    for (const r of proxy.results.filter((r) => r.mode === mode && r.connections === 1)) {
      const loaded = result(r.target, mode, 64);
      out.push(`| ${r.target} | ${round(r.p50_us)} | ${round(r.p99_us)} | ${r.sut ? round(added(r.target, mode, 'p50_us')) : ''} | ` +
        `${r.sut ? round(added(r.target, mode, 'p99_us')) : ''} | ${round(loaded?.rps)} | ${ratio(loaded?.rps / nginx)} | ` +
        `${ratio(loaded?.rps / direct)} | ${round(loaded?.p99_us)} | ${r.sut ? round(loaded?.cpu_us_per_request, 1) : ''} |`);
    }
    out.push('');
  }
  out.push('## Memory of each system under test (RSS)');
  out.push('');
  out.push('| system | at start | idle | peak under load | after load |');
  out.push('|---|---:|---:|---:|---:|');
  for (const [name, memory] of Object.entries(proxy.memory)) {
    out.push(`| ${name} | ${mb(memory.start_kb)} | ${mb(memory.idle_kb)} | ${mb(memory.peak_kb)} | ${mb(memory.after_kb)} |`);
  }
  out.push('');
  out.push('"Idle" is after one request of every kind, before the load: the code a first request pages in is not ' +
    `memory the load took. "After load" is ${proxy.after_wait_s ?? '?'} s after the last run: past the gateway's ` +
    '30 s limit on idle upstream connections, which a burst leaves in the pool.');
  out.push('');
}

if (streams) {
  out.push('## Simultaneous slow streams');
  out.push('');
  out.push(`${round(streams.streams)} OpenAI streams through the gateway at once, each ${streams.tokens} tokens one every ` +
    `${streams.interval_ms} ms from a mock that holds every token until all streams are open.`);
  out.push('');
  out.push('| streams | held | errors | RSS before | RSS all open | RSS peak | per stream | RSS +5 s | RSS settled | descriptors at peak |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  out.push(`| ${round(streams.streams)} | ${round(streams.ok)} | ${round(streams.errors)} | ${mb(streams.rss_idle_kb)} | ` +
    `${mb(streams.rss_open_kb)} | ${mb(streams.rss_peak_kb)} | ${round(streams.rss_per_stream_kb, 1)} KB | ` +
    `${mb(streams.rss_after5_kb)} | ${streams.rss_settled_kb ? `${mb(streams.rss_settled_kb)} (+${streams.settle_s} s)` : '–'} | ` +
    `${round(streams.fds_peak)} of ${round(streams.gateway_open_files_limit)} |`);
  if (streams.errors) {
    out.push('');
    out.push(`Errors: ${JSON.stringify(streams.error_kinds)}; first: \`${(streams.first_errors?.[0] ?? '').slice(0, 300)}\``);
  }
  out.push('');
}

if (microFile) {
  out.push('## Codec micro-benchmarks');
  out.push('');
  out.push(execFileSync('node', [path.join(here, 'micro/report.mjs'), microFile], { encoding: 'utf8' }).trim());
  out.push('');
}
console.log(out.join('\n'));

function readPeerVersion() {
  try {
    return JSON.parse(readFileSync(path.join(here, 'peers/node_modules/@portkey-ai/gateway/package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}
