// Small HTTP helpers shared by the suites: a fetch wrapper that remembers every request id the
// gateway answered with (the access-log checks need them), an SSE parser strict enough to notice
// half frames, and raw-socket helpers for what fetch cannot send.

import net from 'node:net';
import { randomUUID } from 'node:crypto';

export const DONE = '[DONE]';
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * A client for one gateway. `apiKey` is sent as `Authorization: Bearer` unless a request passes
 * its own `apiKey` (null = no key). Every answered request is appended to `seen`.
 */
export function gatewayClient(baseUrl, { apiKey = null } = {}) {
  const seen = [];

  async function request(path, { method = 'GET', json, body, headers = {}, apiKey: key = apiKey, timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
    const finalHeaders = { ...headers };
    if (key) finalHeaders.authorization = `Bearer ${key}`;
    if (json !== undefined) {
      body = JSON.stringify(json);
      finalHeaders['content-type'] ??= 'application/json';
    }
    // The timeout also covers reading the body, so a stream that never ends fails instead of hanging.
    const res = await fetch(baseUrl + path, { method, body, headers: finalHeaders, signal: AbortSignal.timeout(timeoutMs) });
    seen.push({ id: res.headers.get('x-request-id'), method, path: path.split('?')[0], status: res.status });
    return res;
  }

  return {
    baseUrl,
    seen,
    request,
    get: (path, options = {}) => request(path, { ...options, method: 'GET' }),
    /** POST /v1/chat/completions; `body` is an object (sent as JSON) or raw text. */
    chat: (body, options = {}) =>
      request('/v1/chat/completions', {
        ...options,
        method: 'POST',
        ...(typeof body === 'string'
          ? { body, headers: { 'content-type': 'application/json', ...options.headers } }
          : { json: body }),
      }),
  };
}

/** A minimal valid chat body; `overrides` are merged on top. */
export function chatBody(overrides = {}) {
  return { model: 'fast', messages: [{ role: 'user', content: 'Say hello' }], ...overrides };
}

/** A unique id that is easy to find in logs. */
export const uniqueId = (prefix = 'test') => `${prefix}-${randomUUID()}`;

/** Reads a JSON body, failing with the raw text when it is not JSON. */
export async function readJSON(res) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`expected a JSON body (status ${res.status}), got: ${text.slice(0, 500)}`);
  }
}

/**
 * Parses an SSE body. Returns { frames, trailing }: one frame per blank-line-terminated event
 * (comment-only frames such as keep-alives are dropped), and whatever text followed the last
 * blank line — which must be '' in a well-formed stream.
 * Each frame is { raw, event, data, json } where json is the parsed data (or DONE).
 */
export function parseSSE(text) {
  const parts = text.split(/\r?\n\r?\n/);
  const trailing = parts.pop();
  const frames = [];
  for (const raw of parts) {
    const lines = raw.split(/\r?\n/).filter((line) => line !== '' && !line.startsWith(':'));
    if (lines.length === 0) continue;
    const field = (name) =>
      lines.filter((l) => l.startsWith(`${name}:`)).map((l) => l.slice(name.length + 1).replace(/^ /, ''));
    const data = field('data').join('\n');
    const event = field('event')[0] ?? null;
    let json;
    try {
      json = data === DONE ? DONE : JSON.parse(data);
    } catch {
      throw new Error(`SSE frame is not valid JSON: ${JSON.stringify(raw)}`);
    }
    frames.push({ raw, event, data, json });
  }
  return { frames, trailing };
}

/** Reads a whole SSE response: { text, frames, trailing, events } where events = frames' json. */
export async function readSSE(res) {
  const text = await res.text();
  const parsed = parseSSE(text);
  return { text, ...parsed, events: parsed.frames.map((f) => f.json) };
}

/** The assistant text carried by a list of chat.completion.chunk events. */
export const streamedContent = (events) =>
  events
    .filter((e) => e !== DONE && Array.isArray(e.choices))
    .map((e) => e.choices[0]?.delta?.content ?? '')
    .join('');

/** Chunks that carry usage (the include_usage chunk has choices: [] and a non-null usage). */
export const usageChunks = (events) => events.filter((e) => e !== DONE && e.usage != null);

/**
 * Writes `data` to a fresh TCP connection and collects the answer until the peer closes or
 * `timeoutMs` passes. Errors such as EPIPE/ECONNRESET after a reply are expected (the gateway may
 * answer early and close) and are reported in `error`, not thrown.
 */
export function rawExchange(port, data, { timeoutMs = 3000, host = '127.0.0.1' } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    let received = '';
    let error = null;
    let settled = false;
    const finish = (closed) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ received, closed, error });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => {
      received += chunk;
    });
    socket.on('error', (err) => {
      error = err;
    });
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      for (const piece of [].concat(data)) {
        if (!socket.writable) break;
        socket.write(piece);
      }
    });
  });
}

/** The status code of a raw HTTP response text, or null. */
export const rawStatus = (text) => {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return match ? Number(match[1]) : null;
};

/** Resolves 'refused', 'connected' or the error code of a fresh TCP connection attempt. */
export function probeConnect(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err) => resolve(err.code === 'ECONNREFUSED' ? 'refused' : err.code));
  });
}

/**
 * A TCP port on 127.0.0.1 that nothing listens on, and nothing will: a low, privileged one,
 * outside the ephemeral range every test server's listen(0) draws from. (An ephemeral port
 * bound and released could be handed to the next mock a suite starts, which then answered
 * the "refused" upstream's requests.)
 */
export async function closedPort() {
  for (const port of [1, 3, 5, 7, 9, 11, 13, 15, 17, 19]) {
    if ((await probeConnect(port)) === 'refused') return port;
  }
  throw new Error('no closed low port on 127.0.0.1 to stand for a refused upstream');
}

/** Polls `check` (sync or async) until it returns a truthy value or the deadline passes. */
export async function waitFor(check, { timeoutMs = 3000, intervalMs = 25, message = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
