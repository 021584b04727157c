// Starts and stops the real Switchyard binary for the integration and e2e suites.
//
//   const gateway = await startGateway({ config: yamlText });   // or config: null for the embedded default
//   await fetch(gateway.url + '/healthz');
//   assert.equal(await gateway.stop(), 0);
//
// The binary is build/switchyard under the repo root, or $SWITCHYARD_BIN.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SWITCHYARD_BIN = process.env.SWITCHYARD_BIN
  ? path.resolve(process.env.SWITCHYARD_BIN)
  : path.join(REPO_ROOT, 'build', 'switchyard');

const LISTENING = /listening on http:\/\/([0-9.]+):(\d+)/;
const START_DEADLINE_MS = 10_000;
const STOP_KILL_AFTER_MS = 15_000;

// Provider keys from the developer's shell must not leak into the gateway under test: they would
// change the embedded default config and could reach the logs.
const SCRUBBED_ENV = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'SWITCHYARD_MASTER_KEY'];

// ---------------------------------------------------------------------------------------------
// Cleanup: a test that crashes or times out must never leave a gateway running.

const liveProcesses = new Set();
const tempDirs = new Set();

function cleanupNow() {
  for (const proc of liveProcesses) proc.kill('SIGKILL');
  liveProcesses.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}
process.once('exit', cleanupNow);
for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) {
  process.once(signal, () => {
    cleanupNow();
    process.exit(128 + number);
  });
}

// ---------------------------------------------------------------------------------------------

/**
 * process.env without provider keys, plus `extra`. Each gateway keeps its database in a fresh
 * temp dir unless `extra` says where (SWITCHYARD_DATA_DIR), never in the working directory.
 */
export function gatewayEnv(extra = {}) {
  const env = { ...process.env };
  for (const name of SCRUBBED_ENV) delete env[name];
  return { ...env, SWITCHYARD_DATA_DIR: makeTempDir(), ...extra };
}

/** A fresh temp dir, removed at exit. */
export function makeTempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-test-'));
  tempDirs.add(dir);
  return dir;
}

/** Writes `text` to a fresh temp dir (removed at exit) and returns the file's path. */
export function writeTempFile(text, name = 'switchyard.yaml') {
  const dir = makeTempDir();
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function assertBinaryExists() {
  if (!existsSync(SWITCHYARD_BIN)) {
    throw new Error(`gateway binary not found at ${SWITCHYARD_BIN}: build it first or set SWITCHYARD_BIN`);
  }
}

/** Spawns the binary and tracks it for cleanup; `output()` is everything it printed so far. */
function spawnTracked(args, env) {
  assertBinaryExists();
  const proc = spawn(SWITCHYARD_BIN, args, { env: gatewayEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  liveProcesses.add(proc);
  const out = { stdout: '', stderr: '', all: '' };
  for (const stream of ['stdout', 'stderr']) {
    proc[stream].setEncoding('utf8');
    proc[stream].on('data', (text) => {
      out[stream] += text;
      out.all += text;
    });
  }
  // 'close' (not 'exit') so that all output has been read when it resolves.
  const exited = new Promise((resolve) => {
    proc.once('error', (err) => {
      out.all += `\n[spawn error] ${err.message}\n`;
    });
    proc.once('close', (code, signal) => {
      liveProcesses.delete(proc);
      resolve({ code, signal });
    });
  });
  return { proc, out, exited };
}

/** Exit code, or the signal name when the process was killed by one. */
const exitStatus = ({ code, signal }) => code ?? signal;

function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Starts the gateway and resolves once it logs its listening address.
 * config: YAML text (written to a temp file and passed as --config), or null for the embedded default.
 */
export async function startGateway({ config, env = {}, args = [] } = {}) {
  if (config !== null && typeof config !== 'string') {
    throw new TypeError('startGateway: config must be YAML text or null (embedded default)');
  }
  const configPath = typeof config === 'string' ? writeTempFile(config) : null;
  const argv = [...(configPath ? ['--config', configPath] : []), ...args];
  const { proc, out, exited } = spawnTracked(argv, env);

  const listening = new Promise((resolve) => {
    const check = () => {
      const match = out.all.match(LISTENING);
      if (match) {
        proc.stdout.off('data', check);
        proc.stderr.off('data', check);
        resolve({ host: match[1], port: Number(match[2]) });
      }
    };
    proc.stdout.on('data', check);
    proc.stderr.on('data', check);
  });
  const diedEarly = exited.then((status) => {
    const err = new Error(`switchyard exited (${exitStatus(status)}) before listening:\n${out.all}`);
    err.exitCode = status.code;
    err.signal = status.signal;
    err.output = out.all;
    throw err;
  });

  let address;
  try {
    address = await withTimeout(
      Promise.race([listening, diedEarly]),
      START_DEADLINE_MS,
      () => `switchyard did not log "listening on http://HOST:PORT" within ${START_DEADLINE_MS} ms:\n${out.all}`,
    );
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
  diedEarly.catch(() => {}); // from here on an exit is reported by waitForExit()/stop()

  const waitForExit = (timeoutMs = STOP_KILL_AFTER_MS) =>
    withTimeout(
      exited.then(exitStatus),
      timeoutMs,
      () => `switchyard (pid ${proc.pid}) did not exit within ${timeoutMs} ms:\n${out.all}`,
    );

  async function stop(signal = 'SIGTERM') {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    try {
      return await waitForExit(STOP_KILL_AFTER_MS);
    } catch {
      proc.kill('SIGKILL');
      return exitStatus(await exited);
    }
  }

  return {
    url: `http://127.0.0.1:${address.port}`,
    host: address.host,
    port: address.port,
    proc,
    configPath,
    logs: () => out.all,
    waitForExit,
    stop,
  };
}

/** Runs the binary once (e.g. --check-config) and resolves { code, signal, stdout, stderr }. */
export async function runSwitchyard(args, env = {}, { timeoutMs = 10_000 } = {}) {
  const { proc, out, exited } = spawnTracked(args, env);
  try {
    const status = await withTimeout(
      exited,
      timeoutMs,
      () => `switchyard ${args.join(' ')} did not exit within ${timeoutMs} ms:\n${out.all}`,
    );
    return { code: status.code, signal: status.signal, stdout: out.stdout, stderr: out.stderr };
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
}
