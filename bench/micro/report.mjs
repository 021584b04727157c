#!/usr/bin/env node
// Turns switchyard_micro's JSON (--benchmark_out=FILE --benchmark_out_format=json) into a
// markdown table: time per op in µs (CPU time), throughput, items, and ✅/❌ on the
// BM_Translate/*/10KB rows against issue 5's target (20 µs per 10 KB translation, one core).
//
//   node bench/micro/report.mjs micro.json [--target-us 20] > micro.md
//
// With --benchmark_repetitions the median rows are reported. No dependencies.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
let file;
let targetUs = 20;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--target-us') targetUs = Number(args[++i]);
  else if (args[i] === '-h' || args[i] === '--help') {
    console.log('usage: node bench/micro/report.mjs FILE.json [--target-us 20]');
    process.exit(0);
  } else file = args[i];
}
if (!file) {
  console.error('usage: node bench/micro/report.mjs FILE.json [--target-us 20]');
  process.exit(2);
}

const data = JSON.parse(readFileSync(file, 'utf8'));
const all = data.benchmarks ?? [];
const aggregated = all.some((b) => b.run_type === 'aggregate');
const rows = aggregated
  ? all.filter((b) => b.run_type === 'aggregate' && b.aggregate_name === 'median')
  : all.filter((b) => b.run_type !== 'aggregate');

const toUs = { ns: 1e-3, us: 1, ms: 1e3, s: 1e6 };
const isTranslateTarget = (name) => /^BM_Translate\/[^/]+\/10KB$/.test(name);

function fmtUs(us) {
  if (!Number.isFinite(us)) return '';
  if (us >= 100) return us.toFixed(0);
  if (us >= 10) return us.toFixed(1);
  if (us >= 1) return us.toFixed(2);
  return us.toFixed(3);
}
function fmtRate(perSecond, unit) {
  if (!perSecond) return '';
  if (perSecond >= 1e9) return `${(perSecond / 1e9).toFixed(2)} G${unit}`;
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M${unit}`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k${unit}`;
  return `${perSecond.toFixed(0)} ${unit}`;
}

const ctx = data.context ?? {};
const lines = [];
lines.push(`Codec micro-benchmarks (switchyard_micro), ${ctx.date ?? ''} on ${ctx.num_cpus ?? '?'} × ${ctx.mhz_per_cpu ?? '?'} MHz` +
  `${aggregated ? ', medians of repetitions' : ''}.`);
if (ctx.library_build_type === 'debug') {
  lines.push('(Debian builds libbenchmark itself without NDEBUG, hence its "DEBUG" warning; the measured code is the project\'s -O2 build.)');
}
lines.push('');
lines.push('Time is CPU time per operation. MB/s is input bytes (10^6) per second; for streams "per item" is per upstream SSE event.');
lines.push('');
lines.push(`| benchmark | µs/op | MB/s | items/s | µs/item | size | ≤ ${targetUs} µs |`);
lines.push('|---|---:|---:|---:|---:|---|:-:|');

const translate = [];
for (const b of rows) {
  const name = aggregated ? b.run_name : b.name;
  if (b.error_occurred) {
    lines.push(`| ${name} | ERROR: ${b.error_message ?? ''} | | | | | ${isTranslateTarget(name) ? '❌' : ''} |`);
    if (isTranslateTarget(name)) translate.push({ name, us: NaN });
    continue;
  }
  const us = b.cpu_time * (toUs[b.time_unit] ?? 1e-3);
  const perItem = b.items_per_second ? 1e6 / b.items_per_second : NaN;
  let mark = '';
  if (isTranslateTarget(name)) {
    mark = us <= targetUs ? '✅' : '❌';
    translate.push({ name, us });
  }
  const label = (b.label ?? '').replaceAll('|', '\\|');
  lines.push(`| ${name} | ${fmtUs(us)} | ${b.bytes_per_second ? (b.bytes_per_second / 1e6).toFixed(0) : ''} | ` +
    `${fmtRate(b.items_per_second, '/s')} | ${fmtUs(perItem)} | ${label} | ${mark} |`);
}

if (translate.length) {
  const met = translate.filter((t) => t.us <= targetUs).length;
  const key = (t) => (Number.isNaN(t.us) ? Infinity : t.us);
  const worst = translate.reduce((a, t) => (key(t) > key(a) ? t : a));
  lines.push('');
  lines.push(`BM_Translate 10KB: ${met} of ${translate.length} within ${targetUs} µs; slowest ${worst.name} at ${fmtUs(worst.us)} µs.`);
}
console.log(lines.join('\n'));
