// Real servers the suites start for themselves (Debian's packages, never the system services):
// each on a free 127.0.0.1 port with its own temporary data directory, waited for, and stopped
// by PID when the test is done.

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/**
 * Spawns `command`, keeping its output for error messages; `stop()` ends it with `stopSignal`
 * (then SIGKILL after 5 s).
 */
function spawnService(name, command, args, { stopSignal = 'SIGTERM', ...options } = {}) {
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
      proc.kill(stopSignal);
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

const PG_BIN = '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL 15 server with a fresh cluster in its own directory, listening on 127.0.0.1 (no
 * password: trust). As root, it runs as the `postgres` user the package creates (initdb and
 * postgres refuse root). `url` is a postgres:// URL for database `switchyard`; `stop()` and
 * `start()` stop it (fast shutdown) and start it again on the same port and data.
 */
export async function startPostgres() {
  const dir = makeTempDir();
  // The server's user must reach its directories: the temp dir is private to us otherwise.
  chmodSync(dir, 0o755);
  const data = path.join(dir, 'data');
  const socketDir = path.join(dir, 'socket');
  mkdirSync(data, { mode: 0o700 });
  mkdirSync(socketDir);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(data, uid, gid);
    chownSync(socketDir, uid, gid);
  }
  const run = (command, args) => (asRoot ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', command, ...args]] : [command, args]);
  const [initCommand, initArgs] = run(`${PG_BIN}/initdb`, ['-D', data, '--no-sync', '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C']);
  execFileSync(initCommand, initArgs, { stdio: 'pipe' });
  const port = await freePort();
  let service = null;
  const start = async () => {
    // fsync off: a test cluster need not survive the machine crashing, only its processes
    // stopping. Commits stay synchronous: what the server acknowledged is there after a restart.
    const [command, args] = run(`${PG_BIN}/postgres`, [
      '-D', data, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off',
      '-c', 'full_page_writes=off',
    ]);
    // SIGINT is PostgreSQL's fast shutdown: it does not wait for clients (a gateway) to leave.
    service = spawnService('postgres', command, args, { stopSignal: 'SIGINT' });
    await waitFor(() => {
      try {
        execFileSync(`${PG_BIN}/pg_isready`, ['-h', '127.0.0.1', '-p', String(port), '-q']);
        return true;
      } catch {
        return false;
      }
    }, { timeoutMs: 20_000, intervalMs: 100, message: 'postgres to accept connections' });
  };
  await start();
  const psql = (sql, database = 'switchyard') =>
    execFileSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-At', '-c', sql], { encoding: 'utf8' }).trim();
  psql('CREATE DATABASE switchyard', 'postgres');
  let databases = 0;
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/switchyard`,
    /** A fresh database of its own, for one gateway: its URL. */
    database: () => {
      const name = `switchyard_${++databases}`;
      psql(`CREATE DATABASE ${name}`, 'postgres');
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    psql,
    start,
    stop: async () => { await service?.stop(); service = null; },
  };
}

function postgresUser() {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no postgres user: is Debian\'s postgresql package installed (scripts/install-deps.sh)?');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * A Redis server (Debian's redis-server) on a free port with its own directory and no
 * persistence. `cli(...args)` runs redis-cli against it; `stop()` and `start()` take it down and
 * bring it back on the same port (its data is gone then, as after a crash without persistence).
 */
export async function startRedis() {
  const dir = makeTempDir();
  const port = await freePort();
  let service = null;
  const cli = (...args) => execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' }).trim();
  const start = async () => {
    service = spawnService('redis-server', 'redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
    ], { stopSignal: 'SIGKILL' });
    await waitFor(() => {
      try {
        return cli('PING') === 'PONG';
      } catch {
        return false;
      }
    }, { timeoutMs: 10_000, intervalMs: 50, message: 'redis to accept connections' });
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    cli,
    start,
    stop: async () => { await service?.stop(); service = null; },
  };
}
