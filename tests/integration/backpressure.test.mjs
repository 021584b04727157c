// Streaming backpressure: the gateway reads the next piece of an upstream stream only after the
// client accepted the previous one, so a client that stops reading stops the upstream too (the
// gateway neither slurps the stream nor grows its memory), and reading again resumes it.
//
// The mock's `firehose` behaviour writes ~1 KiB SSE frames as fast as its socket takes them and
// reports its progress live in mock.lastFirehose.written.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { describe, it } from 'node:test';

import { MASTER_KEY } from '../support/config.mjs';
import { itKeepsLogsCleanAndComplete, useGatewayWithMock } from '../support/harness.mjs';
import { DONE, chatBody, readJSON, readSSE, streamedContent, waitFor } from '../support/http.mjs';

const MiB = 1024 * 1024;
const STREAM_BYTES = 64 * MiB;
// What may be neither in the kernel's socket queues nor read by the client once the stream
// stalls: the gateway's own read buffer and the frame it is writing, the mock's and the
// paused client's stream buffers (node's 16 KiB high-water marks). A gateway that reads ahead
// of its client holds far more. The kernel's share is measured, not assumed: this kernel
// autotunes a receive buffer up to net.ipv4.tcp_rmem's maximum (32 MiB here), and a faster
// gateway grows its upstream socket's buffer further before the client's side fills.
const MAX_HELD_OUTSIDE_KERNEL_BYTES = 1 * MiB;
// Growth over the gateway's RSS before the first stream: far below the 64 MiB a buffered
// stream would cost, and roomy enough for a sanitizer build's allocator (whose baseline
// alone is ~80 MiB, so an absolute bound would not mean the same thing in both builds).
const MAX_RSS_GROWTH_KIB = 48 * 1024;
let baselineKiB = null;
const DONE_FRAME = `data: ${DONE}\n\n`;

/**
 * Bytes queued in the kernel on every TCP socket with an end at one of `ports` (both ends of
 * each connection): what a sender has written but its peer not read (tx_queue) and what has
 * arrived but not been read (rx_queue), from /proc/net/tcp and tcp6.
 */
function kernelQueuedBytes(ports) {
  let total = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 5) continue;
      const port = (address) => parseInt(address.split(':').pop(), 16);
      if (!ports.includes(port(fields[1])) && !ports.includes(port(fields[2]))) continue;
      const [tx, rx] = fields[4].split(':').map((hex) => parseInt(hex, 16));
      total += tx + rx;
    }
  }
  return total;
}

/** The resident set size of a process in KiB, from /proc/<pid>/status. */
function rssKiB(pid) {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(match, `no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

describe('streaming backpressure', () => {
  const ctx = useGatewayWithMock();

  /**
   * Starts a firehose stream of `bytes` through the gateway with a raw node:http client and
   * pauses the response right after its headers, so nothing of the body is read. The request is
   * added to ctx.client.seen for the access-log check.
   */
  async function openPausedFirehose(bytes) {
    baselineKiB ??= rssKiB(ctx.gateway.proc.pid);
    ctx.mock.script([{ kind: 'firehose', bytes }]);
    const body = JSON.stringify(chatBody({ stream: true }));
    const req = http.request(`${ctx.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      agent: false,
      headers: {
        authorization: `Bearer ${MASTER_KEY}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    const res = await new Promise((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', reject);
      req.end(body);
    });
    res.pause();
    ctx.client.seen.push({ id: res.headers['x-request-id'], method: 'POST', path: '/v1/chat/completions', status: res.statusCode });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] ?? '', /^text\/event-stream/);
    return { req, res };
  }

  /**
   * Waits until the firehose stopped making progress (no new bytes for `quietMs`) or finished,
   * sampling the gateway's RSS meanwhile. Returns { written, done, maxRssKiB }.
   */
  async function waitForFirehoseToStall({ quietMs = 300, timeoutMs = 5000 } = {}) {
    let maxRssKiB = rssKiB(ctx.gateway.proc.pid);
    let last = -1;
    let lastChange = Date.now();
    await waitFor(
      () => {
        maxRssKiB = Math.max(maxRssKiB, rssKiB(ctx.gateway.proc.pid));
        const progress = ctx.mock.lastFirehose;
        if (!progress) return false;
        if (progress.done) return true;
        if (progress.written !== last) {
          last = progress.written;
          lastChange = Date.now();
          return false;
        }
        return Date.now() - lastChange >= quietMs;
      },
      { timeoutMs, intervalMs: 50, message: 'the firehose to stall or finish' },
    );
    const ports = [ctx.gateway.port, Number(new URL(ctx.mock.url).port)];
    return { written: ctx.mock.lastFirehose.written, done: ctx.mock.lastFirehose.done, maxRssKiB,
      queued: kernelQueuedBytes(ports) };
  }

  function assertRssBounded(kib, when) {
    const growth = kib - baselineKiB;
    assert.ok(
      growth < MAX_RSS_GROWTH_KIB,
      `gateway RSS grew by ${(growth / 1024).toFixed(1)} MiB ${when} (from ${(baselineKiB / 1024).toFixed(1)} MiB)`,
    );
  }

  /** Asserts the upstream was held back while the client did not read. */
  function assertHeldBack({ written, done, maxRssKiB, queued }) {
    const outside = written - queued;
    assert.ok(
      !done && outside < MAX_HELD_OUTSIDE_KERNEL_BYTES,
      `the upstream wrote ${(written / MiB).toFixed(1)} MiB${done ? ' (all of it)' : ''} while the client read nothing, ` +
        `${(queued / MiB).toFixed(1)} MiB of it in socket queues: the gateway reads ahead of its client ` +
        `(${(outside / MiB).toFixed(2)} MiB elsewhere, limit ${MAX_HELD_OUTSIDE_KERNEL_BYTES / MiB} MiB)`,
    );
    assert.ok(written > 0, 'the upstream must have started streaming');
    assertRssBounded(maxRssKiB, 'while the client read nothing');
  }

  /** Reads the rest of a response, counting bytes and blank-line-terminated frames. */
  function drain(res) {
    return new Promise((resolve, reject) => {
      let bytes = 0;
      let frames = 0;
      let tail = '';
      res.setEncoding('latin1');
      res.on('data', (text) => {
        bytes += text.length;
        // Count "\n\n" also when it straddles two chunks.
        const joined = tail + text;
        frames += joined.split('\n\n').length - 1 - (tail.split('\n\n').length - 1);
        tail = joined.slice(-DONE_FRAME.length);
      });
      res.once('end', () => resolve({ bytes, frames, tail }));
      res.once('error', reject);
      res.resume();
    });
  }

  it('holds the upstream back while the client reads nothing, then relays the whole stream', async () => {
    const { res } = await openPausedFirehose(STREAM_BYTES);
    assertHeldBack(await waitForFirehoseToStall());

    const received = await drain(res);
    const { total, written, done } = ctx.mock.lastFirehose;
    assert.ok(done && written === total, 'the upstream must finish once the client reads again');
    assert.equal(received.tail, DONE_FRAME, 'the stream must end with data: [DONE]');
    assert.equal(received.frames, total / 1024 + 1, 'every 1 KiB frame and [DONE] must arrive');
    assertRssBounded(rssKiB(ctx.gateway.proc.pid), 'after the stream');
  });

  it('stops the upstream and stays healthy when a paused client goes away', async () => {
    const { res } = await openPausedFirehose(STREAM_BYTES);
    assertHeldBack(await waitForFirehoseToStall());

    res.socket.destroy();
    await waitFor(() => ctx.mock.lastFirehose.aborted, {
      timeoutMs: 3000,
      message: 'the gateway to close the upstream stream after its client went away',
    });
    assert.ok(!ctx.mock.lastFirehose.done);

    const health = await ctx.client.get('/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(await readJSON(health), { status: 'ok' });

    const normal = await ctx.client.chat(chatBody({ stream: true }));
    assert.equal(normal.status, 200);
    const stream = await readSSE(normal);
    assert.equal(stream.events.at(-1), DONE);
    assert.equal(streamedContent(stream.events), 'Hello from mock: Say hello');
    assertRssBounded(rssKiB(ctx.gateway.proc.pid), 'after the stream');
  });

  itKeepsLogsCleanAndComplete(ctx);
});
