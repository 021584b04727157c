// HTTP/1.1 framing, both sides of the gateway, over raw sockets: how request bodies are
// delimited (Content-Length, chunked, pipelined requests, 100-continue), which heads are
// refused because two HTTP parsers could disagree about them, and how upstream answers
// are read whatever their framing (interim 1xx, chunked, until close, malformed).

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';

import { MASTER_KEY, gatewayConfig } from '../support/config.mjs';
import { startGateway } from '../support/gateway.mjs';
import { itKeepsLogsCleanAndComplete, useGatewayWithMock } from '../support/harness.mjs';
import { gatewayClient, rawExchange, rawStatus, readJSON } from '../support/http.mjs';

const CHAT = JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'Say hello' }] });

const head = (lines) =>
  ['POST /v1/chat/completions HTTP/1.1', 'Host: 127.0.0.1', `Authorization: Bearer ${MASTER_KEY}`,
    'Content-Type: application/json', ...lines].join('\r\n') + '\r\n\r\n';

/** Every response status in a raw text of one or more responses, in order (a response
 * starts right after the previous body, not on a line of its own). */
const statuses = (text) => [...text.matchAll(/HTTP\/1\.1 (\d{3}) [^\r\n]*\r\n/g)].map((match) => Number(match[1]));

/** Encodes `text` in chunks of at most `size` bytes, with an extension on the first. */
function chunked(text, size) {
  let out = '';
  for (let i = 0; i < text.length; i += size) {
    const piece = text.slice(i, i + size);
    out += `${Buffer.byteLength(piece).toString(16)}${i === 0 ? ';note=first' : ''}\r\n${piece}\r\n`;
  }
  return out + '0\r\nX-Trailer: ignored\r\n\r\n';
}

describe('HTTP framing of client requests', () => {
  const ctx = useGatewayWithMock();

  it('decodes a chunked request body and forwards it whole', async () => {
    const { received } = await rawExchange(ctx.gateway.port,
      [head(['Transfer-Encoding: chunked', 'Connection: close']), chunked(CHAT, 7)]);
    assert.equal(rawStatus(received), 200, received.slice(0, 300));
    assert.equal(ctx.mock.requests.length, 1);
    const forwarded = JSON.parse(ctx.mock.requests[0].body);
    assert.deepEqual(forwarded.messages, [{ role: 'user', content: 'Say hello' }]);
  });

  it('answers pipelined requests in order on one connection', async () => {
    const one = head([`Content-Length: ${Buffer.byteLength(CHAT)}`]) + CHAT;
    const two = head([`Content-Length: ${Buffer.byteLength(CHAT)}`, 'Connection: close']) + CHAT;
    const { received, closed } = await rawExchange(ctx.gateway.port, one + two, { timeoutMs: 5000 });
    assert.deepEqual(statuses(received), [200, 200], received.slice(0, 600));
    assert.ok(closed, 'Connection: close on the last request closes the connection');
    assert.equal(ctx.mock.requests.length, 2);
  });

  it('answers Expect: 100-continue before the body is sent', async () => {
    const body = CHAT;
    const answer = await new Promise((resolve, reject) => {
      const socket = net.connect({ port: ctx.gateway.port, host: '127.0.0.1' });
      let text = '';
      let sentBody = false;
      socket.setEncoding('latin1');
      socket.on('error', reject);
      socket.on('data', (chunk) => {
        text += chunk;
        if (!sentBody && text.includes('\r\n\r\n')) {
          sentBody = true;
          assert.equal(rawStatus(text), 100, text);
          socket.write(body);
        }
      });
      socket.on('close', () => resolve(text));
      socket.on('connect', () => socket.write(head([`Content-Length: ${Buffer.byteLength(body)}`,
        'Expect: 100-continue', 'Connection: close'])));
    });
    assert.deepEqual(statuses(answer), [100, 200], answer.slice(0, 400));
  });

  it('closes an HTTP/1.0 connection after its answer unless asked to keep it', async () => {
    const request = `GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n`;
    const { received, closed } = await rawExchange(ctx.gateway.port, request, { timeoutMs: 3000 });
    assert.equal(rawStatus(received.replace(/^HTTP\/1\.0/, 'HTTP/1.1')), 200, received);
    assert.ok(closed);
  });

  for (const [name, lines, body] of [
    ['both Content-Length and Transfer-Encoding', [`Content-Length: ${CHAT.length}`, 'Transfer-Encoding: chunked'], chunked(CHAT, 64)],
    ['two different Content-Lengths', [`Content-Length: ${CHAT.length}`, `Content-Length: ${CHAT.length + 1}`], CHAT],
    ['a Transfer-Encoding that does not end with chunked', ['Transfer-Encoding: gzip'], CHAT],
    ['an obsolete folded header line', ['X-Folded: one', ' two', `Content-Length: ${CHAT.length}`], CHAT],
    ['a space before a header colon', ['X-Spaced : one', `Content-Length: ${CHAT.length}`], CHAT],
    ['a malformed chunk size', ['Transfer-Encoding: chunked'], 'zz\r\n' + CHAT + '\r\n0\r\n\r\n'],
  ]) {
    it(`refuses ${name} with 400 and calls no upstream`, async () => {
      const { received } = await rawExchange(ctx.gateway.port, head(lines) + body, { timeoutMs: 3000 });
      assert.equal(rawStatus(received), 400, received.slice(0, 300));
      assert.match(received, /malformed HTTP request/);
      assert.equal(ctx.mock.requests.length, 0);
    });
  }

  it('refuses a chunked body over server.max_body_size with 413', async () => {
    const big = 'a'.repeat(1024 * 1024 + 10);
    const { received } = await rawExchange(ctx.gateway.port, [head(['Transfer-Encoding: chunked']), chunked(big, 64 * 1024)],
      { timeoutMs: 5000 });
    assert.equal(rawStatus(received), 413, received.slice(0, 300));
    assert.equal(ctx.mock.requests.length, 0);
  });

  it('refuses a head over server.max_header_size with 431', async () => {
    const { received } = await rawExchange(ctx.gateway.port, head([`X-Big: ${'b'.repeat(70 * 1024)}`, 'Content-Length: 2']) + '{}',
      { timeoutMs: 3000 });
    assert.equal(rawStatus(received), 431, received.slice(0, 300));
  });

  it('keeps serving after every refusal', async () => {
    const res = await ctx.client.chat(JSON.parse(CHAT));
    assert.equal(res.status, 200);
    await readJSON(res);
  });

  itKeepsLogsCleanAndComplete(ctx);
});

// An upstream that answers every request with `answer(request)` (raw bytes) and then
// closes or keeps the connection as the answer says.
async function startRawUpstream(answer) {
  const server = net.createServer((socket) => {
    let pending = '';
    socket.setEncoding('latin1');
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      pending += chunk;
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(pending.slice(0, end))?.[1] ?? 0);
      if (pending.length < end + 4 + length) return;
      pending = '';
      const { bytes, close } = answer();
      socket.write(bytes);
      if (close) socket.end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/v1`, close: () => new Promise((r) => server.close(r)) };
}

const COMPLETION = JSON.stringify({
  id: 'chatcmpl-raw', object: 'chat.completion', created: 1, model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from raw' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
});

describe('HTTP framing of upstream answers', () => {
  let upstream;
  let gateway;
  let client;
  let answer;
  before(async () => {
    upstream = await startRawUpstream(() => answer());
    gateway = await startGateway({ config: gatewayConfig({ mockUrl: upstream.url }) });
    client = gatewayClient(gateway.url, { apiKey: MASTER_KEY });
  });
  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  const json = 'Content-Type: application/json\r\n';
  for (const [name, make] of [
    ['after an interim 100 Continue', () => ({ bytes: `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n${json}Content-Length: ${COMPLETION.length}\r\n\r\n${COMPLETION}` })],
    ['chunked, with chunk extensions and trailers', () => ({ bytes: `HTTP/1.1 200 OK\r\n${json}Transfer-Encoding: chunked\r\n\r\n${chunked(COMPLETION, 10)}` })],
    ['delimited by the connection closing', () => ({ bytes: `HTTP/1.1 200 OK\r\n${json}Connection: close\r\n\r\n${COMPLETION}`, close: true })],
  ]) {
    it(`reads an answer ${name}`, async () => {
      answer = make;
      const res = await client.chat(JSON.parse(CHAT));
      const body = await readJSON(res);
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.choices[0].message.content, 'Hello from raw');
      assert.equal(body.usage.total_tokens, 7);
    });
  }

  it('answers 502 upstream_bad_response to a malformed status line', async () => {
    answer = () => ({ bytes: 'HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\n{}', close: true });
    const res = await client.chat(JSON.parse(CHAT));
    const body = await readJSON(res);
    assert.equal(res.status, 502, JSON.stringify(body));
    assert.equal(body.error.code, 'upstream_bad_response');
  });

  it('answers 502 to a head cut off by the upstream closing', async () => {
    answer = () => ({ bytes: `HTTP/1.1 200 OK\r\n${json}Content-Len`, close: true });
    const res = await client.chat(JSON.parse(CHAT));
    const body = await readJSON(res);
    assert.equal(res.status, 502, JSON.stringify(body));
    assert.equal(body.error.code, 'upstream_bad_response');
  });

  it('reports a malformed chunked body as an error, not as a complete answer', async () => {
    answer = () => ({ bytes: `HTTP/1.1 200 OK\r\n${json}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`, close: true });
    const res = await client.chat(JSON.parse(CHAT));
    const body = await readJSON(res);
    assert.ok(res.status >= 500, `status ${res.status}: ${JSON.stringify(body)}`);
  });
});
