// Many simultaneous slow streams through the gateway (issue 5): does it hold --streams
// concurrent OpenAI Chat Completions streams without an error, and what memory does it
// use idle, with all of them open, at the peak and afterwards?
//
//   node bench/streams/run.mjs [--streams 10000] [--tokens 20] [--interval-ms 100] [--ramp-ms 2500]
//                              [--threads 0] [--timeout 60] [--usage 1] [--hold 1] [--open-timeout 5]
//                              [--waves 1] [--nofile N] [--log-level warn] [--keep] [--settle S] [--out FILE.json]
//   node bench/streams/run.mjs --streams 200 --tokens 5          # smoke, a few seconds
//   node bench/streams/run.mjs --role mock --port 18600 [--tokens 20] [--interval-ms 100]
//                                              # the slow mock alone, until killed
//
// Processes, so that none needs more than one socket per stream (the hard open-files limit
// is 20000 per process here):
//   - the mock upstream (this file, --role mock): an OpenAI-compatible server on 127.0.0.1
//     (HTTP/1.1 keep-alive written by hand on node:net, half the CPU of node:http). Each
//     streaming request gets its headers, the role chunk and the first content chunk at once,
//     then one content chunk every --interval-ms up to --tokens tokens, the finish_reason chunk, the usage
//     chunk when stream_options.include_usage, and `data: [DONE]`: the wire format of
//     tests/fixtures/openai/openai.chat.stream.text.sse. One shared 10 ms tick serves the
//     streams in ten buckets (no timer per stream). Non-streaming requests get a
//     chat.completion with the same text.
//   - the gateway ($SWITCHYARD_BIN or build/switchyard --config TMP.yaml): master key on,
//     `log: {level: warn}` (--log-level; stderr to a file in the work dir), one `openai`
//     provider at the mock, the alias `slow`, server.threads from --threads (0: one per core).
//   - the client (this file, --role client): node:http with one keep-alive Agent
//     (maxSockets Infinity; no fetch/undici), opening --streams streaming requests evenly
//     over --ramp-ms, each on its own connection. Every stream is checked: status 200,
//     exactly --tokens content chunks with the mock's text, a finish_reason, the usage
//     chunk (when --usage 1, the default) and `data: [DONE]` before the end of the body.
//
// With --hold 1 (the default) the mock holds the content tokens until every stream is
// open (has its headers and first events, or has failed): all --streams are then
// simultaneously open, and all of them stream their tokens at once for about
// tokens × interval. With --hold 0 each stream runs from its arrival (streams started
// early may end before the last ones open) and ttft_ms is meaningful. A stream not open
// when none has opened for --open-timeout seconds (e.g. its connection waits in the
// gateway's accept queue because the gateway is out of file descriptors) fails as
// not_open_*, and the others are released.
//
// The parent samples the gateway's VmRSS and open fds (/proc/PID) every 200 ms:
// rss_idle_kb before the first request; rss_open_kb when all streams are open (held);
// rss_peak_kb the maximum over the run; rss_after_kb 2 s after the last stream ended (the
// client's keep-alive connections are still open, idle); rss_after5_kb 5 s after it (the
// client closed its connections at +2 s); with --settle S, rss_settled_kb S s after it.
// gateway_cpu_*_s are the gateway's CPU seconds
// (user + system) in the ramp and in the streaming phase, gateway_us_per_chunk the
// streaming phase's per content chunk relayed. stream_phase_s against stream_phase_ideal_s,
// and machine_cpu_stream_s (all processes, ours and others') against machine_cores ×
// stream_phase_s, show whether the machine was saturated and the streams stretched: at
// 10,000 streams × 10 tokens/s the gateway alone needs about two cores on a 2-core VM.
//
// Prints one JSON line on stdout (progress on stderr), writes it to --out too, and exits 1
// when any stream failed, the gateway died or the run timed out. Everything it starts is
// killed on exit, on SIGINT/SIGTERM/SIGHUP and after --timeout seconds (default 60 per wave).
//
// --waves N runs N clients one after the other against the same gateway (a leak shows as
// RSS growing wave after wave; `waves` has each wave's figures, the top level wave 1's
// except rss_peak_kb, the maximum, and rss_after*_kb, the last wave's). --keep keeps the
// work dir (config and gateway log; it is kept anyway when something failed). Each request
// carries x-request-id bench-N, named in first_errors; with --log-level info the gateway's
// access-log line for it says what the gateway saw.
//
// File descriptors: a passthrough stream holds two in the gateway (client and upstream
// sockets), so 10,000 streams need 20,000 plus the gateway's ~17 at rest: more than a
// 20000 limit, and the last ~10 streams fail (503 gateway_out_of_descriptors, or no answer
// when the gateway cannot accept). --nofile N starts the
// gateway under `prlimit --nofile=N:N`, which needs CAP_SYS_RESOURCE to go above the hard
// limit (refused in this container).

import { fork, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(SELF), '..', '..');

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; ++i) {
    if (!argv[i].startsWith('--')) throw new Error(`unexpected argument ${argv[i]}`);
    const key = argv[i].slice(2);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[key] = '1';
    else out[key] = argv[++i];
  }
  return out;
}
const args = parseArgs(process.argv.slice(2));
const num = (name, fallback) => {
  const value = args[name] === undefined ? fallback : Number(args[name]);
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number`);
  return value;
};
const log = (...parts) => process.stderr.write(`[streams${args.role ? ' ' + args.role : ''}] ${parts.join(' ')}\n`);
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return Math.round((user + system) / 1e4) / 100;
};

// The content of token `i`; the client expects exactly these, in order.
const tokenText = (i) => `tok${i} `;

// ---------------------------------------------------------------- mock upstream

function runMock() {
  const TOKENS = num('tokens', 20);
  const INTERVAL = num('interval-ms', 100);
  const HOLD = args.hold === '1'; // the parent passes it; standalone, streams run at once
  const TICK = Math.max(1, Math.round(INTERVAL / 10)); // ten buckets per interval
  const buckets = Array.from({ length: 10 }, () => new Set());
  const held = new Set();
  let released = !HOLD;
  let tick = 0;
  let serial = 0;
  const stats = { requests: 0, streams_started: 0, streams_completed: 0, streams_aborted: 0, bad_requests: 0, max_active: 0, active: 0, cpu_s: 0 };
  const created = Math.floor(Date.now() / 1000);

  // HTTP/1.1 by hand on net sockets: the gateway sends one request at a time per
  // connection (Content-Length bodies) and keeps connections alive; each SSE event goes out
  // as one chunk of a chunked body, in one write. About half the CPU of node:http, which
  // leaves more of the two cores to the gateway.
  const chunk = (text) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
  const respond = (socket, status, type, body) =>
    socket.write(`HTTP/1.1 ${status}\r\ncontent-type: ${type}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);

  // Writes the next piece of a stream; returns false once the stream is over.
  function step(s) {
    const i = s.sent++;
    let out = `${s.prefix}{"content":"${tokenText(i)}"},"logprobs":null,"finish_reason":null}]${s.usageNull}}\n\n`;
    if (s.sent < TOKENS) {
      s.socket.write(chunk(out));
      return true;
    }
    out += `${s.prefix}{},"logprobs":null,"finish_reason":"stop"}]${s.usageNull}}\n\n`;
    if (s.usage) {
      out += `data: {"id":"${s.id}","object":"chat.completion.chunk","created":${created},"model":${s.model},"system_fingerprint":"fp_bench","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":${TOKENS},"total_tokens":${12 + TOKENS},"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}\n\n`;
    }
    s.socket.write(chunk(out + 'data: [DONE]\n\n') + '0\r\n\r\n');
    s.conn.stream = null;
    return false;
  }

  setInterval(() => {
    const bucket = buckets[tick % 10];
    tick++;
    for (const s of bucket) {
      if (step(s)) continue;
      bucket.delete(s);
      s.bucket = null;
      stats.streams_completed++;
      stats.active--;
    }
  }, TICK);

  // The bucket the tick served last: it comes round again in ~INTERVAL.
  const schedule = (s, offset = 0) => {
    s.bucket = buckets[(tick + 9 + offset) % 10];
    s.bucket.add(s);
  };

  function handle(conn, head, bodyText) {
    stats.requests++;
    const socket = conn.socket;
    if (!/^POST \S*\/chat\/completions /.test(head)) {
      respond(socket, '404 Not Found', 'application/json', '{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}');
      return;
    }
    let body;
    try {
      body = JSON.parse(bodyText);
    } catch {
      stats.bad_requests++;
      respond(socket, '400 Bad Request', 'application/json', '{"error":{"message":"invalid JSON","type":"invalid_request_error","param":null,"code":null}}');
      return;
    }
    const model = JSON.stringify(typeof body.model === 'string' ? body.model : 'gpt-4o-mini');
    const id = `chatcmpl-S${++serial}`;
    if (!body.stream) {
      let content = '';
      for (let i = 0; i < TOKENS; ++i) content += tokenText(i);
      respond(
        socket,
        '200 OK',
        'application/json',
        `{"id":"${id}","object":"chat.completion","created":${created},"model":${model},"choices":[{"index":0,"message":{"role":"assistant","content":"${content}","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":${TOKENS},"total_tokens":${12 + TOKENS}},"system_fingerprint":"fp_bench"}`,
      );
      return;
    }
    const usage = body.stream_options?.include_usage === true;
    const s = {
      socket,
      conn,
      id,
      model,
      usage,
      usageNull: usage ? ',"usage":null' : '',
      prefix: `data: {"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${model},"system_fingerprint":"fp_bench","choices":[{"index":0,"delta":`,
      sent: 0,
      bucket: null,
    };
    conn.stream = s;
    stats.streams_started++;
    stats.active++;
    stats.max_active = Math.max(stats.max_active, stats.active);
    const role = `${s.prefix}{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]${s.usageNull}}\n\n`;
    socket.write(
      'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n' + chunk(role),
    );
    // The first content comes with the preamble: the gateway answers a stream once its first
    // token (the first content) is in, so holding that too would hold every stream unanswered.
    if (!step(s)) {
      stats.streams_completed++;
      stats.active--;
      return;
    }
    if (released) schedule(s);
    else held.add(s);
  }

  const server = net.createServer({ noDelay: true }, (socket) => {
    const conn = { socket, buf: '', stream: null };
    socket.setEncoding('latin1'); // byte-exact; lengths below are in bytes
    socket.on('data', (d) => {
      conn.buf += d;
      for (;;) {
        const end = conn.buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = conn.buf.slice(0, end);
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
          stats.bad_requests++;
          socket.end('HTTP/1.1 411 Length Required\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
          return;
        }
        if (conn.buf.length < end + 4 + length) return;
        const bodyText = Buffer.from(conn.buf.slice(end + 4, end + 4 + length), 'latin1').toString('utf8');
        conn.buf = conn.buf.slice(end + 4 + length);
        handle(conn, head, bodyText);
      }
    });
    const closed = () => {
      const s = conn.stream;
      if (!s) return;
      conn.stream = null;
      held.delete(s);
      s.bucket?.delete(s);
      stats.streams_aborted++;
      stats.active--;
    };
    socket.on('close', closed);
    socket.on('error', () => {});
  });
  server.listen({ port: num('port', 0), host: '127.0.0.1', backlog: 8192 }, () => {
    const { port } = server.address();
    if (process.send) process.send({ type: 'ready', port });
    else process.stdout.write(`mock listening on http://127.0.0.1:${port}/v1\n`);
  });
  if (!process.send) return; // standalone: runs until killed
  process.on('message', (m) => {
    if (m?.type === 'stats') {
      stats.cpu_s = cpuSeconds();
      process.send({ type: 'stats', stats });
    } else if (m?.type === 'hold') {
      released = false; // the next wave's streams wait for their own release
    } else if (m?.type === 'release' && !released) {
      // Spread the held streams over the ten buckets, so that each tick writes a tenth.
      released = true;
      let n = 0;
      for (const s of held) schedule(s, n++ % 10);
      held.clear();
      process.send({ type: 'released', streams: n });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------- client

function percentiles(values) {
  if (!values.length) return null;
  const sorted = Float64Array.from(values).sort();
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const round = (v) => Math.round(v * 10) / 10;
  return { p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]) };
}

function runClient() {
  const PORT = num('port', 0);
  const STREAMS = num('streams', 10000);
  const TOKENS = num('tokens', 20);
  const RAMP = num('ramp-ms', 2500);
  const USAGE = args.usage !== '0';
  const KEY = args.key ?? 'sk-bench';
  const OPEN_TIMEOUT = num('open-timeout', 5) * 1000;
  const expected = Array.from({ length: TOKENS }, (_, i) => tokenText(i)).join('');
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: Infinity });
  const body = JSON.stringify({
    model: 'slow',
    stream: true,
    ...(USAGE ? { stream_options: { include_usage: true } } : {}),
    messages: [{ role: 'user', content: `Count to ${TOKENS}, one word at a time.` }],
  });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, 'content-length': Buffer.byteLength(body) };

  // opened: streams that have their headers and a first event (or failed before that).
  const st = { issued: 0, opened: 0, ended: 0, ok: 0, errors: 0, active: 0, peak_active: 0 };
  const errorKinds = {};
  const firstErrors = [];
  const ttfb = []; // request to first SSE event (the role chunk), ms
  const ttft = []; // request to first content chunk, ms
  const maxGaps = []; // per stream, the longest gap between two content chunks, ms
  let allOpenSent = false;
  let finishedSent = false;
  const t0 = performance.now();
  let lastEnd = t0;
  const open = new Set();

  function settleOpen(s) {
    if (s.opened) return;
    s.opened = true;
    st.opened++;
  }

  function fail(s, kind, detail) {
    if (s.over) return;
    s.over = true;
    open.delete(s);
    st.ended++;
    st.errors++;
    if (s.gotHeaders) st.active--;
    settleOpen(s);
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
    if (firstErrors.length < 5) firstErrors.push(`${kind} [x-request-id ${s.id}]${detail ? ': ' + detail : ''}`);
    s.req?.destroy();
    check();
  }

  function succeed(s) {
    s.over = true;
    open.delete(s);
    st.ended++;
    st.ok++;
    st.active--;
    lastEnd = performance.now();
    maxGaps.push(s.maxGap);
    check();
  }

  function check() {
    if (!allOpenSent && st.opened === STREAMS) {
      allOpenSent = true;
      process.send({ type: 'all_open', at_s: (performance.now() - t0) / 1000, active: st.active, errors: st.errors });
    }
    if (!finishedSent && st.ended === STREAMS) {
      finishedSent = true;
      process.send({ type: 'finished', result: result() });
    }
  }

  function result() {
    return {
      ...st,
      error_kinds: errorKinds,
      first_errors: firstErrors,
      duration_s: Math.round((lastEnd - t0) / 10) / 100,
      ttfb_ms: percentiles(ttfb),
      ttft_ms: percentiles(ttft),
      max_gap_ms: percentiles(maxGaps),
      cpu_s: cpuSeconds(),
    };
  }

  function onEvent(s, data) {
    if (data === '[DONE]') {
      s.doneSeen = true;
      return;
    }
    if (s.doneSeen) return fail(s, 'data_after_done');
    let chunk;
    try {
      chunk = JSON.parse(data);
    } catch {
      return fail(s, 'bad_json', data.slice(0, 120));
    }
    if (chunk.error) return fail(s, 'stream_error_event', JSON.stringify(chunk.error).slice(0, 200));
    if (chunk.object !== 'chat.completion.chunk') return fail(s, 'bad_chunk', data.slice(0, 120));
    if (chunk.usage) s.usageSeen = true;
    const choice = chunk.choices?.[0];
    if (!choice) return;
    if (choice.finish_reason) s.finish = choice.finish_reason;
    const content = choice.delta?.content;
    if (typeof content === 'string' && content.length) {
      const now = performance.now();
      if (s.chunks === 0) ttft.push(now - s.t);
      else s.maxGap = Math.max(s.maxGap, now - s.last);
      s.last = now;
      s.chunks++;
      s.text += content;
    }
  }

  function start() {
    const s = { id: `bench-${st.issued}`, t: performance.now(), chunks: 0, text: '', maxGap: 0, last: 0, buf: '', over: false, opened: false, gotHeaders: false };
    open.add(s);
    st.issued++;
    const req = http.request({
      host: '127.0.0.1',
      port: PORT,
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { ...headers, 'x-request-id': s.id }, // on the gateway's access-log line (--log-level info)
      agent,
    });
    s.req = req;
    req.on('error', (e) => fail(s, `socket_${e.code ?? 'error'}`, e.message));
    req.on('response', (res) => {
      s.gotHeaders = true;
      st.active++;
      st.peak_active = Math.max(st.peak_active, st.active);
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => fail(s, `status_${res.statusCode}`, text.slice(0, 200)));
        return;
      }
      res.on('data', (d) => {
        if (s.over) return;
        s.buf += d;
        let at;
        while ((at = s.buf.indexOf('\n\n')) !== -1) {
          const event = s.buf.slice(0, at);
          s.buf = s.buf.slice(at + 2);
          for (const line of event.split('\n')) {
            if (line.startsWith('data:')) onEvent(s, line.slice(line.startsWith('data: ') ? 6 : 5));
          }
          if (s.over) return;
          if (!s.opened) {
            ttfb.push(performance.now() - s.t);
            settleOpen(s);
            check();
          }
        }
      });
      res.on('end', () => {
        if (s.over) return;
        if (!s.doneSeen) return fail(s, 'no_done', `after ${s.chunks} content chunks`);
        if (s.chunks !== TOKENS) return fail(s, 'wrong_chunk_count', `${s.chunks} content chunks, expected ${TOKENS}`);
        if (s.text !== expected) return fail(s, 'wrong_text', s.text.slice(0, 120));
        if (!s.finish) return fail(s, 'no_finish_reason');
        if (USAGE && !s.usageSeen) return fail(s, 'no_usage_chunk');
        if (!USAGE && s.usageSeen) return fail(s, 'unrequested_usage_chunk');
        succeed(s);
      });
      res.on('aborted', () => fail(s, 'aborted_mid_stream', `after ${s.chunks} content chunks`));
      res.on('error', (e) => fail(s, `response_${e.code ?? 'error'}`, e.message));
    });
    req.end(body);
  }

  // Open the streams evenly over RAMP ms: every 10 ms, catch up with the schedule (a busy
  // event loop makes bigger batches, not a longer ramp).
  const ramp = setInterval(() => {
    const due = Math.min(STREAMS, Math.ceil(((performance.now() - t0) / RAMP) * STREAMS));
    while (st.issued < due) start();
    if (st.issued >= STREAMS) clearInterval(ramp);
  }, 10);

  // A stream that is still not open when no stream has opened for OPEN_TIMEOUT ms (e.g. its
  // connection sits in the gateway's accept queue) fails as not_open, so that the others
  // are released instead of waiting for it.
  let lastOpened = -1;
  let lastChange = performance.now();
  const stall = setInterval(() => {
    if (allOpenSent) return clearInterval(stall);
    if (st.opened !== lastOpened) {
      lastOpened = st.opened;
      lastChange = performance.now();
    } else if (st.issued === STREAMS && performance.now() - lastChange > OPEN_TIMEOUT) {
      const detail = `nothing opened for ${OPEN_TIMEOUT / 1000}s`;
      for (const s of [...open]) if (!s.opened) fail(s, s.gotHeaders ? 'not_open_no_first_event' : 'not_open_no_response', detail);
    }
  }, 250);

  setInterval(() => process.send({ type: 'progress', ...st }), 500).unref();
  process.on('message', (m) => {
    if (m?.type === 'close') {
      agent.destroy();
      process.send({ type: 'closed' });
    } else if (m?.type === 'abort') {
      // The parent's hard timeout: whatever is still open failed.
      for (const s of [...open]) fail(s, s.gotHeaders ? 'unfinished' : 'no_response');
      process.send({ type: 'finished', result: result() });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------- orchestrator

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function readProc(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const user = Number(fields[11]) / 100; // utime, stime in USER_HZ (100) ticks
    const sys = Number(fields[12]) / 100;
    return { rss, fds, cpu: user + sys, user, sys };
  } catch {
    return null;
  }
}

function httpGet(port, pathname) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.setTimeout(1000, () => req.destroy());
  });
}

// CPU seconds the whole machine spent busy (all cores), from /proc/stat.
function machineBusy() {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = ticks;
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return NaN;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const round2 = (v) => (v === null || v === undefined || Number.isNaN(v) ? null : Math.round(v * 100) / 100);

async function runParent() {
  const STREAMS = num('streams', 10000);
  const TOKENS = num('tokens', 20);
  const INTERVAL = num('interval-ms', 100);
  const RAMP = num('ramp-ms', Math.min(2500, Math.max(200, Math.round(STREAMS / 4))));
  const THREADS = num('threads', 0);
  const WAVES = num('waves', 1);
  const SETTLE = num('settle', 0);
  const LOG_LEVEL = args['log-level'] ?? 'warn';
  const TIMEOUT = num('timeout', (60 + SETTLE) * WAVES);
  const USAGE = args.usage !== '0';
  const HOLD = args.hold !== '0';
  const NOFILE = args.nofile ? num('nofile', 0) : 0;
  const BIN = args.bin ?? process.env.SWITCHYARD_BIN ?? path.join(root, 'build', 'switchyard');
  if (!(STREAMS >= 1 && TOKENS >= 1 && INTERVAL >= 10 && TIMEOUT > 0 && WAVES >= 1)) {
    throw new Error('need --streams >= 1, --tokens >= 1, --interval-ms >= 10, --timeout > 0, --waves >= 1');
  }
  const started = Date.now();
  let binMtime = null;
  try {
    binMtime = statSync(BIN).mtime.toISOString();
  } catch {
    throw new Error(`no gateway binary at ${BIN}: build it first (make build) or set SWITCHYARD_BIN`);
  }

  const work = mkdtempSync(path.join(os.tmpdir(), 'switchyard-streams-'));
  const children = [];
  let keepWork = args.keep === '1';
  if (keepWork) log(`work dir (config, gateway log) kept: ${work}`);
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          child.kill('SIGKILL');
        } catch {}
      }
    }
    if (!keepWork) rmSync(work, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      log(`${signal}: stopping everything`);
      cleanup();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  // Start-up failures must not leave children behind either.
  process.on('uncaughtException', (e) => {
    log(e.stack ?? String(e));
    cleanup();
    process.exit(1);
  });

  let client = null;
  let finishWave = () => {}; // resolves the current wave with the client's result (null: lost)
  let timedOut = false;
  setTimeout(() => {
    timedOut = true;
    log(`hard timeout of ${TIMEOUT}s reached`);
    if (client?.connected) {
      client.send({ type: 'abort' });
      setTimeout(() => finishWave(null), 1000);
    } else {
      cleanup();
      process.exit(1);
    }
  }, TIMEOUT * 1000);

  // Mock upstream.
  const mock = fork(SELF, ['--role', 'mock', '--tokens', String(TOKENS), '--interval-ms', String(INTERVAL), '--hold', HOLD ? '1' : '0'], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.push(mock);
  const mockPort = await new Promise((resolve, reject) => {
    mock.on('message', (m) => {
      if (m.type === 'ready') resolve(m.port);
      else if (m.type === 'released') log(`mock released ${m.streams} held streams`);
    });
    mock.once('exit', (code) => reject(new Error(`mock exited with ${code}`)));
  });

  // Gateway.
  const port = await freePort();
  const config = path.join(work, 'switchyard.yaml');
  writeFileSync(
    config,
    `server: {listen: 127.0.0.1:${port}, threads: ${THREADS}}
auth: {master_key: sk-bench}
log: {level: ${LOG_LEVEL}}
providers:
  up: {type: openai, base_url: http://127.0.0.1:${mockPort}/v1, api_key: sk-upstream}
models:
  slow:
    deployments:
      - {provider: up, model: gpt-4o-mini}
`,
  );
  const gatewayLog = path.join(work, 'gateway.log');
  const logFd = openSync(gatewayLog, 'w');
  const [file, argv] = NOFILE ? ['prlimit', [`--nofile=${NOFILE}:${NOFILE}`, '--', BIN, '--config', config]] : [BIN, ['--config', config]];
  const gateway = spawn(file, argv, { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  children.push(gateway);
  let gatewayExit = null;
  gateway.on('error', (e) => log(`cannot start ${file}: ${e.message}`));
  gateway.on('exit', (code, signal) => {
    gatewayExit = { code, signal };
    if (!cleaned) log(`gateway exited (code ${code}, signal ${signal})`);
  });
  let healthy = false;
  for (let i = 0; i < 100 && !gatewayExit; ++i) {
    if ((await httpGet(port, '/healthz')) === 200) {
      healthy = true;
      break;
    }
    await sleep(100);
  }
  if (!healthy) {
    keepWork = true;
    log(`gateway did not become healthy; log: ${gatewayLog}`);
    log(readFileSync(gatewayLog, 'utf8').slice(0, 2000));
    cleanup();
    process.exit(1);
  }
  const pid = gateway.pid; // with --nofile, prlimit execs the gateway: same pid
  const nofile = /Max open files\s+(\d+|unlimited)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))?.[1];
  await sleep(500);
  const idle = readProc(pid);
  log(`gateway pid ${pid} on :${port} (threads ${THREADS || 'auto'}, open files ${nofile}), mock :${mockPort}; idle RSS ${idle.rss} kB`);

  // Sampling every 200 ms: over the run, and over the current wave.
  const peak = { rss: idle.rss, fds: idle.fds };
  const wavePeak = { rss: idle.rss, fds: idle.fds };
  const sampler = setInterval(() => {
    const p = readProc(pid);
    if (!p) return;
    peak.rss = Math.max(peak.rss, p.rss);
    peak.fds = Math.max(peak.fds, p.fds);
    wavePeak.rss = Math.max(wavePeak.rss, p.rss);
    wavePeak.fds = Math.max(wavePeak.fds, p.fds);
  }, 200);

  // One wave: a client opens STREAMS streams, they run, the client closes its connections.
  const round1 = (v) => Math.round(v * 10) / 10;
  async function runWave(wave) {
    if (HOLD && wave > 1) mock.send({ type: 'hold' });
    let done;
    const finished = new Promise((resolve) => (done = resolve));
    finishWave = done;
    const start = readProc(pid);
    wavePeak.rss = start.rss;
    wavePeak.fds = start.fds;
    client = fork(
      SELF,
      [
        ...['--role', 'client', '--port', String(port), '--streams', String(STREAMS), '--tokens', String(TOKENS)],
        ...['--ramp-ms', String(RAMP), '--usage', USAGE ? '1' : '0', '--open-timeout', String(num('open-timeout', 5))],
      ],
      { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
    );
    children.push(client);
    const me = client;
    let allOpen = null;
    let atOpen = null;
    let busyAtOpen = NaN;
    let releasedAt = null;
    let lastProgress = 0;
    me.on('message', (m) => {
      if (m.type === 'all_open') {
        allOpen = m;
        atOpen = readProc(pid);
        busyAtOpen = machineBusy();
        log(`${WAVES > 1 ? `wave ${wave}: ` : ''}all ${STREAMS} streams open at ${m.at_s.toFixed(2)}s (${m.active} streaming, ${m.errors} failed), gateway RSS ${atOpen?.rss} kB, fds ${atOpen?.fds}`);
        if (HOLD) {
          releasedAt = Date.now();
          mock.send({ type: 'release' });
        }
      } else if (m.type === 'progress' && m.ended < STREAMS && Date.now() - lastProgress >= 1000) {
        lastProgress = Date.now();
        const p = readProc(pid);
        log(`issued ${m.issued} open ${m.active} ok ${m.ok} errors ${m.errors}; gateway RSS ${p?.rss} kB fds ${p?.fds}`);
      } else if (m.type === 'finished') {
        done(m.result);
      }
    });
    me.on('exit', () => done(null));

    const result = await finished;
    const tEnd = Date.now();
    const atEnd = readProc(pid);
    const busyAtEnd = machineBusy();
    log(`finished: ok ${result?.ok} errors ${result?.errors}; gateway RSS ${atEnd?.rss} kB fds ${atEnd?.fds}`);
    let after = null;
    let after5 = null;
    let settled = null;
    if (!timedOut && result) {
      await sleep(2000);
      after = readProc(pid);
      if (me.connected) {
        me.send({ type: 'close' });
        await new Promise((resolve) => {
          me.once('message', resolve);
          setTimeout(resolve, 1000);
        });
      }
      await sleep(Math.max(0, tEnd + 5000 - Date.now()));
      after5 = readProc(pid);
      if (SETTLE > 5) {
        // Past the gateway's 30 s limit on idle upstream connections, which the streams
        // leave pooled: what the gateway keeps once the burst is over.
        await sleep(Math.max(0, tEnd + SETTLE * 1000 - Date.now()));
        settled = readProc(pid);
      }
    }
    me.kill('SIGKILL');
    const r = result ?? { ok: 0, errors: STREAMS, error_kinds: { client_lost: STREAMS }, first_errors: [] };
    return {
      wave,
      ok: r.ok,
      errors: STREAMS - r.ok,
      error_kinds: r.error_kinds,
      first_errors: r.first_errors,
      rss_start_kb: start.rss,
      rss_open_kb: atOpen?.rss ?? null,
      rss_peak_kb: wavePeak.rss,
      rss_after_kb: after?.rss ?? null,
      rss_after5_kb: after5?.rss ?? null,
      rss_settled_kb: settled?.rss ?? null,
      fds_settled: settled?.fds ?? null,
      fds_open: atOpen?.fds ?? null,
      fds_peak: wavePeak.fds,
      fds_after: after?.fds ?? null,
      fds_after5: after5?.fds ?? null,
      all_open_s: allOpen ? round2(allOpen.at_s) : null,
      stream_phase_s: releasedAt ? round2((tEnd - releasedAt) / 1000) : null,
      duration_s: r.duration_s ?? null,
      peak_active: r.peak_active ?? null,
      ttfb_ms: r.ttfb_ms ?? null,
      ttft_ms: HOLD ? null : (r.ttft_ms ?? null),
      max_gap_ms: r.max_gap_ms ?? null,
      gateway_cpu_ramp_s: atOpen ? round2(atOpen.cpu - start.cpu) : null,
      gateway_cpu_stream_s: atOpen && atEnd ? round2(atEnd.cpu - atOpen.cpu) : null,
      gateway_cpu_stream_user_s: atOpen && atEnd ? round2(atEnd.user - atOpen.user) : null,
      gateway_cpu_stream_sys_s: atOpen && atEnd ? round2(atEnd.sys - atOpen.sys) : null,
      gateway_us_per_chunk: atOpen && atEnd && r.ok ? round1(((atEnd.cpu - atOpen.cpu) * 1e6) / (r.ok * TOKENS)) : null,
      // Every process's CPU over the streaming phase, ours and anyone else's: near
      // cores × stream_phase_s means the machine was saturated and the streams stretched.
      machine_cpu_stream_s: atOpen && atEnd ? round2(busyAtEnd - busyAtOpen) : null,
      client_cpu_s: r.cpu_s ?? null,
    };
  }

  const waves = [];
  for (let wave = 1; wave <= WAVES && !timedOut; ++wave) {
    waves.push(await runWave(wave));
    if (gatewayExit) break;
  }
  clearInterval(sampler);
  const mockStats = mock.connected
    ? await new Promise((resolve) => {
        mock.on('message', (m) => m.type === 'stats' && resolve(m.stats));
        mock.send({ type: 'stats' });
        setTimeout(() => resolve(null), 1000);
      })
    : null;
  const alive = gatewayExit === null && readProc(pid) !== null;

  // What the gateway logged (level warn): a few distinct lines, with counts.
  const logLines = readFileSync(gatewayLog, 'utf8').split('\n').filter(Boolean);
  const distinct = new Map();
  for (const line of logLines) {
    const key = line.replace(/\b(ts|time|request_id|id)=\S+/g, '').replace(/\d+/g, 'N');
    if (!distinct.has(key)) distinct.set(key, { line: line.slice(0, 300), count: 0 });
    distinct.get(key).count++;
  }

  const first = waves[0];
  const last = waves[waves.length - 1];
  const errorKinds = {};
  for (const w of waves) for (const [kind, n] of Object.entries(w.error_kinds)) errorKinds[kind] = (errorKinds[kind] ?? 0) + n;
  const ok = waves.reduce((sum, w) => sum + w.ok, 0);
  const errors = STREAMS * WAVES - ok;
  const summary = {
    bench: 'streams',
    date: new Date().toISOString(),
    streams: STREAMS,
    tokens: TOKENS,
    interval_ms: INTERVAL,
    ramp_ms: RAMP,
    hold: HOLD,
    threads: THREADS,
    ...(WAVES > 1 ? { waves_run: waves.length } : {}),
    ok,
    errors,
    error_kinds: errorKinds,
    first_errors: waves.find((w) => w.first_errors.length)?.first_errors ?? [],
    timed_out: timedOut,
    gateway_alive: alive,
    gateway_exit: gatewayExit,
    gateway_open_files_limit: Number(nofile) || nofile || null,
    gateway_bin: BIN,
    gateway_bin_mtime: binMtime,
    rss_idle_kb: idle.rss,
    rss_open_kb: first.rss_open_kb,
    rss_peak_kb: peak.rss,
    rss_after_kb: last.rss_after_kb,
    rss_after5_kb: last.rss_after5_kb,
    rss_settled_kb: last.rss_settled_kb,
    fds_settled: last.fds_settled,
    settle_s: SETTLE,
    rss_per_stream_kb: round2((first.rss_peak_kb - idle.rss) / STREAMS),
    fds_idle: idle.fds,
    fds_open: first.fds_open,
    fds_peak: peak.fds,
    fds_after: last.fds_after,
    fds_after5: last.fds_after5,
    ...Object.fromEntries(
      ['all_open_s', 'stream_phase_s', 'duration_s', 'peak_active', 'ttfb_ms', 'ttft_ms', 'max_gap_ms', 'gateway_cpu_ramp_s', 'gateway_cpu_stream_s',
        'gateway_cpu_stream_user_s', 'gateway_cpu_stream_sys_s', 'gateway_us_per_chunk', 'machine_cpu_stream_s', 'client_cpu_s'].map((k) => [k, first[k]]),
    ),
    stream_phase_ideal_s: round2((TOKENS * INTERVAL) / 1000),
    machine_cores: os.cpus().length,
    gateway_cpu_s: round2(readProc(pid)?.cpu - idle.cpu),
    mock_cpu_s: mockStats?.cpu_s ?? null,
    mock: mockStats,
    ...(WAVES > 1 ? { waves } : {}),
    gateway_log_lines: logLines.length,
    gateway_log: [...distinct.values()].slice(0, 5).map((d) => `${d.count}x ${d.line}`),
    wall_s: round2((Date.now() - started) / 1000),
  };
  process.stdout.write(JSON.stringify(summary) + '\n');
  if (args.out) {
    mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
    writeFileSync(args.out, JSON.stringify(summary, null, 2) + '\n');
  }
  const failed = errors > 0 || !alive || timedOut;
  if (failed && logLines.length) {
    keepWork = true;
    log(`gateway log kept: ${gatewayLog}`);
  }
  cleanup();
  process.exit(failed ? 1 : 0);
}

if (args.role === 'mock') runMock();
else if (args.role === 'client') runClient();
else
  runParent().catch((e) => {
    log(e.stack ?? String(e));
    process.exit(1);
  });
