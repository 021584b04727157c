// Real servers the suites start for themselves (Debian's packages, never the system services):
// each on a free 127.0.0.1 port with its own temporary data directory, waited for, and stopped
// by PID when the test is done.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { makeTempDir } from './gateway.mjs';
import { waitFor } from './http.mjs';

/** A port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Spawns `command`, keeping its output for error messages; `stop()` ends it (SIGTERM, then SIGKILL). */
function spawnService(name, command, args, options = {}) {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let output = '';
  proc.stdout.on('data', (chunk) => { output += chunk; });
  proc.stderr.on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolve) => proc.once('close', resolve));
  const cleanup = () => proc.kill('SIGKILL');
  process.once('exit', cleanup);
  return {
    proc,
    output: () => output,
    exited,
    async stop() {
      process.off('exit', cleanup);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
    describe: () => `${name} (pid ${proc.pid}): ${output.slice(-2000)}`,
  };
}

/**
 * A Prometheus server scraping `targets` ("127.0.0.1:PORT") every `intervalSeconds`, with its own
 * data directory. `query(expr)` runs an instant query and returns its result vector.
 */
export async function startPrometheus({ targets, intervalSeconds = 1 }) {
  const dir = makeTempDir();
  const port = await freePort();
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(config, [
    'global:',
    `  scrape_interval: ${intervalSeconds}s`,
    `  evaluation_interval: ${intervalSeconds}s`,
    'scrape_configs:',
    '  - job_name: switchyard',
    '    static_configs:',
    `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    '',
  ].join('\n'));
  const service = spawnService('prometheus', 'prometheus', [
    `--config.file=${config}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}`;
  const query = async (expr) => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = await res.json();
    if (body.status !== 'success') throw new Error(`prometheus query ${expr}: ${JSON.stringify(body)}`);
    return body.data.result;
  };
  try {
    await waitFor(async () => (await fetch(`${url}/-/ready`).catch(() => null))?.status === 200,
      { timeoutMs: 20_000, intervalMs: 100, message: 'prometheus to be ready' });
  } catch (err) {
    await service.stop();
    throw new Error(`${err.message}\n${service.describe()}`);
  }
  return { ...service, url, query };
}
