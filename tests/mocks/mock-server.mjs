// The plumbing shared by the Anthropic and Gemini mocks (the OpenAI mock has its own copy): an HTTP
// server on 127.0.0.1, a FIFO of scripted behaviours, a record of every request together with the
// response that was sent, and helpers that write through that record.
//
//   const server = await startMockServer({ port, responseHeaders: () => ({...}), handle });
//   handle(req, res, record, io) is called for every request with the body already read;
//   io = { sendJSON, begin, write, end, nextBehaviour, reset: resetConnection, sleep, signal }.

import http from 'node:http';
import { setTimeout as sleepFor, setImmediate as nextTurn } from 'node:timers/promises';

import { lowerCaseHeaders, readBody, trackExchange } from './mock-answers.mjs';

export async function startMockServer({ port = 0, responseHeaders = () => ({}), handle, onControl }) {
  const requests = [];
  const queue = [];
  const sockets = new Set();
  const closing = new AbortController();

  const sleep = (ms) => sleepFor(ms, undefined, { signal: closing.signal });

  function begin(res, record, status, headers) {
    record.response = { status, headers: { ...responseHeaders(record), ...headers }, body: '' };
    res.writeHead(status, record.response.headers);
  }
  /** Resolves true once `text` is handed to the kernel, false if the client went away first. */
  function write(res, record, text) {
    if (res.destroyed) return Promise.resolve(false);
    record.response.body += text;
    return new Promise((resolve) => {
      const gone = () => resolve(false);
      res.once('close', gone);
      res.write(text, (err) => {
        res.off('close', gone);
        resolve(!err);
      });
    });
  }
  function sendJSON(res, record, status, body, headers = {}) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    begin(res, record, status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    });
    record.response.body = text;
    res.end(text);
  }
  function resetConnection(req) {
    const socket = req.socket;
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  }
  const nextBehaviour = () => queue.shift() ?? { kind: 'normal' };

  /**
   * Writes SSE `frames` (strings, each a complete frame) honouring the stream behaviours:
   * truncate (half of frame `after_chunks`, then drop the socket), error_midstream (`errorFrame`
   * instead of frame `after_chunks`, then a clean end), slow_stream (a pause between frames),
   * slow_first_content (the headers and the first `preamble` frames at once, then a pause of
   * `delay_ms` before the first frame with content).
   */
  async function sendFrames(res, record, frames, behaviour, { errorFrame, headers = {}, preamble = 0 } = {}) {
    begin(res, record, 200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...headers,
    });
    const stopAfter = Math.max(0, Math.min(behaviour.after_chunks ?? 0, frames.length));
    for (let i = 0; i <= frames.length; i++) {
      if (behaviour.kind === 'truncate' && i === stopAfter) {
        const frame = frames[i] ?? frames.at(-1) ?? '';
        await write(res, record, frame.slice(0, Math.ceil(frame.length / 2)));
        res.socket?.destroy();
        return;
      }
      if (behaviour.kind === 'error_midstream' && i === stopAfter) {
        await write(res, record, errorFrame);
        res.end();
        return;
      }
      if (i === frames.length) break;
      if (behaviour.kind === 'slow_first_content' && i === preamble) {
        res.flushHeaders();
        await sleep(behaviour.delay_ms ?? 1000);
        if (res.destroyed) return;
      } else if (i > 0) {
        if (behaviour.kind === 'slow_stream') await sleep(behaviour.interval_ms ?? 100);
        else await nextTurn();
      }
      if (!(await write(res, record, frames[i]))) return;
    }
    res.end();
  }

  const io = { begin, write, sendJSON, sendFrames, nextBehaviour, resetConnection, sleep, signal: closing.signal };

  const server = http.createServer((req, res) => {
    res.on('error', () => {});
    (async () => {
      const body = await readBody(req);
      const url = new URL(req.url, 'http://mock');
      if (url.pathname.startsWith('/__mock/')) return control(req, res, url.pathname, body);
      const record = {
        method: req.method,
        path: req.url,
        headers: lowerCaseHeaders(req.headers),
        body,
        remotePort: req.socket.remotePort,
      };
      requests.push(record);
      trackExchange(record, res);
      await handle(req, res, record, url, io);
    })().catch((err) => {
      if (err?.name === 'AbortError') return; // the mock is closing
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `mock failure: ${err?.stack ?? err}` } }));
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  // The same control surface as the OpenAI mock, for tests that drive a mock from another process.
  function control(req, res, pathname, body) {
    const reply = (status, value) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'POST' && pathname === '/__mock/script') {
      try {
        const behaviours = JSON.parse(body);
        if (!Array.isArray(behaviours)) throw new TypeError('not an array');
        script(behaviours);
      } catch (err) {
        return reply(400, { error: `script body must be a JSON array of behaviours (${err.message})` });
      }
      return reply(200, { queued: queue.length });
    }
    if (req.method === 'GET' && pathname === '/__mock/requests') return reply(200, requests);
    if (req.method === 'POST' && pathname === '/__mock/reset') {
      reset();
      return reply(200, { ok: true });
    }
    if (onControl) return onControl(req, res, pathname, body, reply);
    return reply(404, { error: `unknown mock control route (${req.method} ${pathname})` });
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });

  function script(behaviours) {
    for (const behaviour of behaviours) {
      if (!behaviour || typeof behaviour.kind !== 'string') throw new TypeError(`invalid behaviour: ${JSON.stringify(behaviour)}`);
      queue.push(behaviour);
    }
  }
  function reset() {
    requests.length = 0;
    queue.length = 0;
  }
  let closed;
  function close() {
    closed ??= new Promise((resolve) => {
      closing.abort();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
    return closed;
  }

  return { port: server.address().port, requests, script, reset, close, io };
}

/**
 * Runs the behaviours every mock shares before a request is parsed: status (via `sendStatus`),
 * reset, hang, slow_first_byte. Returns true when the request has been dealt with.
 */
export async function applyPreBehaviour(req, res, record, behaviour, io, sendStatus) {
  switch (behaviour.kind) {
    case 'status':
      sendStatus(behaviour);
      return true;
    case 'reset':
      io.resetConnection(req);
      return true;
    case 'hang':
      return true; // close() destroys the socket
    case 'slow_first_byte':
      await io.sleep(behaviour.delay_ms ?? 1000);
      return res.destroyed;
    default:
      return false;
  }
}

/**
 * Runs the behaviours every mock shares on a complete (non-streamed) answer, `text` with
 * `contentType`: truncate (half the body, then the connection drops), error_midstream
 * (a 500 via `sendStatus`), slow_stream (a delay first). Returns true when the request has
 * been dealt with; false means: send the answer as usual.
 */
export async function applyCompleteBehaviour(res, record, behaviour, io, sendStatus, text, contentType) {
  switch (behaviour.kind) {
    case 'truncate':
      io.begin(res, record, 200, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)) });
      await io.write(res, record, text.slice(0, Math.ceil(text.length / 2)));
      res.socket?.destroy();
      return true;
    case 'error_midstream':
      sendStatus({ status: 500 });
      return true;
    case 'slow_stream':
      await io.sleep(behaviour.interval_ms ?? 100);
      return res.destroyed;
    case 'slow_first_content':
      // The head at once, the body after the pause.
      io.begin(res, record, 200, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)) });
      res.flushHeaders();
      await io.sleep(behaviour.delay_ms ?? 1000);
      if (!res.destroyed) {
        record.response.body = text;
        res.end(text);
      }
      return true;
    default:
      return false;
  }
}
