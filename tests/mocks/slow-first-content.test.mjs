// Self-check of what the hedging and cancellation suites rely on in every mock: the
// slow_first_content behaviour (the head and the stream's preamble at once, the first content
// after a pause) and the record of how each exchange ended (completed, or closed early by the
// client, and when).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startAnthropicMock } from './anthropic-mock.mjs';
import { startGeminiMock } from './gemini-mock.mjs';
import { startOpenAIMock } from './openai-mock.mjs';

const KEY = 'sk-upstream-test';
const DELAY_MS = 400;

// How each mock is asked for a stream, and what in its frames is content.
const VENDORS = {
  openai: {
    start: () => startOpenAIMock({ apiKey: KEY }),
    request: (mock) => [
      `${mock.url}/chat/completions`,
      { authorization: `Bearer ${KEY}` },
      { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Say hello' }] },
    ],
    preambleFrames: 1,
    isContent: (frame) => /"content":"[^"]/.test(frame),
  },
  anthropic: {
    start: () => startAnthropicMock({ apiKey: KEY }),
    request: (mock) => [
      `${mock.url}/v1/messages`,
      { 'x-api-key': KEY, 'anthropic-version': '2023-06-01' },
      { model: 'claude-haiku-4-5-20251001', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'Say hello' }] },
    ],
    preambleFrames: 3,
    isContent: (frame) => frame.startsWith('event: content_block_delta'),
  },
  gemini: {
    start: () => startGeminiMock({ apiKey: KEY }),
    request: (mock) => [
      `${mock.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`,
      { 'x-goog-api-key': KEY },
      { contents: [{ role: 'user', parts: [{ text: 'Say hello' }] }] },
    ],
    preambleFrames: 0,
    isContent: (frame) => frame.includes('"text"'),
  },
};

/** Reads an SSE response, noting when the head and each complete frame arrived. */
async function timedFrames(res, startedAt) {
  const frames = [];
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    pending += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n'); // Gemini ends its lines with CRLF
    let end;
    while ((end = pending.indexOf('\n\n')) >= 0) {
      frames.push({ text: pending.slice(0, end), at: Date.now() - startedAt });
      pending = pending.slice(end + 2);
    }
  }
  return frames;
}

for (const [name, vendor] of Object.entries(VENDORS)) {
  describe(`${name} mock: slow_first_content and exchange records`, () => {
    let mock;
    before(async () => {
      mock = await vendor.start();
    });
    after(() => mock.close());

    const send = (signal) => {
      const [url, headers, body] = vendor.request(mock);
      return fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: signal ?? AbortSignal.timeout(5000),
      });
    };

    it('sends the head and the preamble at once, the first content after the pause', async () => {
      mock.script([{ kind: 'slow_first_content', delay_ms: DELAY_MS }]);
      const startedAt = Date.now();
      const res = await send();
      const headAt = Date.now() - startedAt;
      assert.equal(res.status, 200);
      assert.ok(headAt < DELAY_MS / 2, `the head came after ${headAt} ms`);
      const frames = await timedFrames(res, startedAt);
      const first = frames.findIndex((frame) => vendor.isContent(frame.text));
      assert.equal(first, vendor.preambleFrames, `frames: ${frames.map((f) => f.text).join(' | ')}`);
      for (const frame of frames.slice(0, first)) assert.ok(frame.at < DELAY_MS / 2, `a preamble frame came after ${frame.at} ms`);
      assert.ok(frames[first].at >= DELAY_MS - 20, `the first content came after ${frames[first].at} ms`);
      const record = mock.requests.at(-1);
      assert.equal(record.completed, true);
      assert.equal(record.closedEarly, false);
    });

    it('records a client that closes the connection before the answer is complete', async () => {
      mock.script([{ kind: 'slow_first_content', delay_ms: 3000 }]);
      const abort = new AbortController();
      const res = await send(abort.signal);
      assert.equal(res.status, 200);
      const abortedAt = Date.now();
      abort.abort();
      const record = mock.requests.at(-1);
      for (let i = 0; i < 100 && !record.closedEarly; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(record.closedEarly, true);
      assert.equal(record.completed, false);
      assert.ok(record.closedAt - abortedAt < 500, `closed ${record.closedAt - abortedAt} ms after the abort`);
      assert.ok(record.closedAt >= record.receivedAt);
    });
  });
}
