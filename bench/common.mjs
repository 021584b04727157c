// What the gateway benchmarks that compare variants of one build share: their command line
// (--duration, --runs, --threads, --out), a scratch directory removed at exit, the binaries,
// and interleaved wrk runs at 64 connections summarised as medians.
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

import { cpuSeconds, processTree } from './proxy/processes.mjs';
import { wrk } from './proxy/wrk.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** --duration S --runs N --threads N --out FILE, with their defaults; exits on anything else. */
export function benchOptions(argv = process.argv) {
  const options = { duration: 5, runs: 3, threads: cpus().length, out: null };
  for (let i = 2; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--duration') options.duration = Number(value);
    else if (flag === '--runs') options.runs = Number(value);
    else if (flag === '--threads') options.threads = Number(value);
    else if (flag === '--out') options.out = value;
    else {
      console.error(`unknown argument ${flag}`);
      process.exit(2);
    }
  }
  return options;
}

/** A scratch directory, removed when the process exits. */
export function scratchDirectory(name) {
  const dir = mkdtempSync(path.join(tmpdir(), `switchyard-bench-${name}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const gatewayBinary = process.env.SWITCHYARD_BIN ?? path.join(root, 'build/switchyard');
export const nginxBinary = ['/usr/sbin/nginx', 'nginx'].find((candidate) => spawnSync(candidate, ['-v']).status === 0);

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

/**
 * Runs every case ({name, mode, url, script}) at 64 connections, once to warm up, then
 * `options.runs` times interleaved, charging each run's CPU to the process tree of
 * `pids[case.name]`; resolves [{variant, mode, rps, cpu_us, failures}] with medians.
 */
export async function interleavedRuns(cases, pids, options, log) {
  for (const c of cases) await wrk(c.url, c.script, 64, 1);  // warm-up
  const samples = cases.map(() => []);
  for (let run = 1; run <= options.runs; run++) {
    for (const [i, c] of cases.entries()) {
      const tree = processTree(pids[c.name]);
      const cpuBefore = cpuSeconds(tree);
      const sample = await wrk(c.url, c.script, 64, options.duration);
      sample.cpu_us = ((cpuSeconds(tree) - cpuBefore) * 1e6) / Math.max(1, sample.requests);
      samples[i].push(sample);
      log(`run ${run} ${c.name} ${c.mode}: ${Math.round(sample.rps)} req/s, ${sample.cpu_us.toFixed(1)} µs CPU/req`);
    }
  }
  return cases.map((c, i) => ({
    variant: c.name, mode: c.mode, rps: median(samples[i].map((s) => s.rps)), cpu_us: median(samples[i].map((s) => s.cpu_us)),
    failures: samples[i].reduce((n, s) => n + s.non2xx + s.socket_errors, 0),
  }));
}
