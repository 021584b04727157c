// The gateway's own timeouts towards clients: a request's headers and body must arrive within
// server.header_timeout, and a kept-alive connection may wait idle for server.idle_timeout.
// Each is enforced by closing the connection; a connection that keeps to them stays open.

import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';

import { MASTER_KEY } from '../support/config.mjs';
import { useGatewayWithMock } from '../support/harness.mjs';

const HEADER_TIMEOUT_MS = 400;
const IDLE_TIMEOUT_MS = 1200;

/** A raw connection that records what it receives and when it was closed. */
function connect(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const seen = { data: '', closedAt: null, openedAt: Date.now() };
    socket.on('data', (chunk) => (seen.data += chunk.toString('latin1')));
    socket.on('close', () => (seen.closedAt = Date.now()));
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, seen }));
    socket.once('error', reject);
  });
}

/** Resolves with the milliseconds from `since` to the close, or null if still open after `withinMs`. */
async function closedWithin(seen, since, withinMs) {
  const until = Date.now() + withinMs;
  while (seen.closedAt === null && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  return seen.closedAt === null ? null : seen.closedAt - since;
}

function chatRequest(body = '{"model":"fast","messages":[{"role":"user","content":"hi"}]}') {
  return (
    'POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n' +
    `Authorization: Bearer ${MASTER_KEY}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

describe('client timeouts', () => {
  const ctx = useGatewayWithMock({
    config: { server: { header_timeout: `${HEADER_TIMEOUT_MS}ms`, idle_timeout: `${IDLE_TIMEOUT_MS}ms` } },
  });

  it('closes a connection that sends nothing after header_timeout', async () => {
    const { seen } = await connect(ctx.gateway.port);
    const elapsed = await closedWithin(seen, seen.openedAt, 5000);
    assert.ok(elapsed !== null, 'the connection was not closed');
    assert.ok(elapsed >= HEADER_TIMEOUT_MS - 50 && elapsed < HEADER_TIMEOUT_MS + 1000, `closed after ${elapsed} ms`);
  });

  it('closes a connection whose headers stall, and one whose body stalls', async () => {
    for (const partial of ['POST /v1/chat/completions HTTP/1.1\r\nHost: g', chatRequest().slice(0, -10)]) {
      const { socket, seen } = await connect(ctx.gateway.port);
      const sentAt = Date.now();
      socket.write(partial);
      const elapsed = await closedWithin(seen, sentAt, 5000);
      assert.ok(elapsed !== null, `not closed: ${JSON.stringify(partial)}`);
      assert.ok(elapsed < HEADER_TIMEOUT_MS + 1000, `closed after ${elapsed} ms`);
      assert.equal(seen.data, '', 'a stalled request gets no answer');
    }
  });

  it('keeps a connection that keeps to the limits, and closes it after idle_timeout', async () => {
    const { socket, seen } = await connect(ctx.gateway.port);
    // The first request at once (it must come within header_timeout), then two more, each after
    // a pause longer than header_timeout but within idle_timeout: between requests only the
    // keep-alive limit counts.
    for (let i = 0; i < 3; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, HEADER_TIMEOUT_MS + 200));
      const before = seen.data.length;
      socket.write(chatRequest());
      const until = Date.now() + 3000;
      while (!/\r\n\r\n[\s\S]*"choices"/.test(seen.data.slice(before)) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.match(seen.data.slice(before), /^HTTP\/1\.1 200 /, `request ${i + 1} was answered`);
      assert.equal(seen.closedAt, null, `closed before request ${i + 1} completed`);
    }
    const answeredAt = Date.now();
    const elapsed = await closedWithin(seen, answeredAt, 5000);
    assert.ok(elapsed !== null, 'an idle kept-alive connection was not closed');
    assert.ok(elapsed >= IDLE_TIMEOUT_MS - 100 && elapsed < IDLE_TIMEOUT_MS + 1000, `closed after ${elapsed} ms idle`);
  });
});
