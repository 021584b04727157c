// What the harness needs of the processes it starts: starting and stopping them, and
// reading their CPU time and memory from /proc (summed over a process and its children,
// so nginx's master and workers count as one system under test).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100;

function children(pid) {
  const out = [];
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const task of tasks) {
    try {
      const list = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (list) out.push(...list.split(/\s+/).map(Number));
    } catch { /* the task ended */ }
  }
  return out;
}

// The process and all its descendants.
export function processTree(pid) {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...children(all[i]));
  return all;
}

// User + system CPU seconds of the tree (live processes only).
export function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);  // utime, stime (fields 14 and 15)
    } catch { /* the process ended */ }
  }
  return ticks / CLOCK_TICKS;
}

// Resident memory of the tree, in KiB.
export function rssKiB(pids) {
  let total = 0;
  for (const pid of pids) {
    try {
      const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) total += Number(match[1]);
    } catch { /* the process ended */ }
  }
  return total;
}

const started = new Set();

// Starts a long-running process; it is killed when this process exits.
export function start(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', options.log ?? 'ignore'], ...options });
  started.add(child);
  child.on('exit', () => started.delete(child));
  return child;
}

export async function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export function stopAllNow() {
  for (const child of started) child.kill('SIGKILL');
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    stopAllNow();
    process.exit(130);
  });
}
process.on('exit', stopAllNow);

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Resolves once `url` answers (any status), or throws after `ms`.
export async function waitForHttp(url, ms = 15000, init = {}) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${ms} ms: ${error.message}`);
      await sleep(100);
    }
  }
}
