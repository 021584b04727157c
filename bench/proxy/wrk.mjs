// wrk, as the harness runs it: a Lua script for one request, and one bounded run read back
// as requests/s, p50 and p99 latency, completed requests and failures.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export function luaScript(request, dir) {
  const file = path.join(dir, `wrk-${Math.random().toString(36).slice(2)}.lua`);
  const lua = (text) => `[==[${text}]==]`;
  writeFileSync(file, [
    'wrk.method = "POST"',
    ...Object.entries(request.headers).map(([name, value]) => `wrk.headers[ ${lua(name)} ] = ${lua(value)}`),
    `wrk.body = ${lua(request.body)}`,
  ].join('\n'));
  return file;
}

const MICROS = { us: 1, ms: 1e3, s: 1e6 };
const micros = (text) => {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text);
  return match ? Number(match[1]) * MICROS[match[2]] : NaN;
};

// One bounded wrk run: requests/s, p50 and p99 latency (µs), completed requests, failures.
// Asynchronous, so the memory sampler keeps running while it does.
export async function wrk(url, script, connections, seconds) {
  const threads = Math.min(connections, 2);
  // A generous timeout: a peer's slow tail (Portkey's p99 at 64 connections is ~0.5-0.8 s)
  // must show in the latency figures, not as wrk's 2 s default turning it into an error.
  const child = spawn('wrk', [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency', '-s',
    script, url],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (data) => { out += data; });
  child.stderr.on('data', (data) => { err += data; });
  const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
  const status = await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  if (status !== 0) throw new Error(`wrk failed (${status}): ${err}${out}`);
  const number = (pattern) => Number((pattern.exec(out) ?? [])[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: number(/Requests\/sec:\s+([\d.]+)/),
    p50: micros((/^\s+50%\s+(\S+)/m.exec(out) ?? [])[1]),
    p99: micros((/^\s+99%\s+(\S+)/m.exec(out) ?? [])[1]),
    requests: number(/(\d+) requests in/),
    non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
    socket_errors: socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}
