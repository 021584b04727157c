// Self-check of the OpenAI mock, without the gateway: the official SDK pointed straight at it
// must work (so the mock speaks the real wire format), and every behaviour must do what the
// suites rely on. Run: node --test tests/mocks/

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  APIConnectionError,
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
} from 'openai';

import { openaiFixture } from '../support/fixtures.mjs';
import { DONE, parseSSE, readJSON, readSSE, streamedContent, waitFor } from '../support/http.mjs';
import { collect, expectSDKError, itServesChatThroughTheSDK, sdkClient } from '../support/sdk.mjs';
import { createTestCA } from '../support/tls.mjs';
import { startOpenAIMock } from './openai-mock.mjs';

const KEY = 'sk-upstream-test';

describe('openai mock', () => {
  let mock;
  let openai;
  before(async () => {
    mock = await startOpenAIMock({ apiKey: KEY });
    openai = sdkClient(mock.url, KEY);
  });
  beforeEach(() => mock.reset());
  after(() => mock.close());

  const request = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] };
  /** POST /v1/chat/completions with raw fetch (`body` is an object or raw text). */
  const post = (body, headers = { authorization: `Bearer ${KEY}` }) =>
    fetch(`${mock.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });

  /** GET <base>/models with node:http(s) (`agent`, `ca` passed through); resolves the parsed body. */
  const getModels = (base, options = {}) =>
    new Promise((resolve, reject) => {
      const { get } = base.startsWith('https:') ? https : http;
      get(`${base}/models`, { ...options, headers: { authorization: `Bearer ${KEY}` } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve(JSON.parse(text)));
        res.on('error', reject);
      }).on('error', reject);
    });

  describe('with the official SDK', () => {
    itServesChatThroughTheSDK({
      client: () => openai,
      model: 'gpt-4o-mini',
      expectedContent: 'Hello from mock: Say hello',
      expectedUsage: { prompt_tokens: 2, completion_tokens: 5, total_tokens: 7 },
      listedModels: ['gpt-4o-mini'],
    });

    it('a wrong key raises AuthenticationError', async () => {
      await expectSDKError(sdkClient(mock.url, 'sk-wrong').chat.completions.create(request), AuthenticationError, 401);
    });

    const statusClasses = [
      [400, BadRequestError],
      [404, NotFoundError],
      [429, RateLimitError],
      [500, InternalServerError],
      [503, InternalServerError],
    ];
    for (const [status, ErrorClass] of statusClasses) {
      it(`a scripted ${status} raises ${ErrorClass.name}`, async () => {
        mock.script([{ kind: 'status', status }]);
        await expectSDKError(openai.chat.completions.create(request), ErrorClass, status);
      });
    }

    it('error_midstream makes stream iteration throw APIError', async () => {
      mock.script([{ kind: 'error_midstream', after_chunks: 2 }]);
      const err = await expectSDKError(collect(await openai.chat.completions.create({ ...request, stream: true })), APIError);
      assert.equal(err.error?.type, 'server_error');
    });

    it('reset surfaces as APIConnectionError', async () => {
      mock.script([{ kind: 'reset' }]);
      await expectSDKError(openai.chat.completions.create(request), APIConnectionError);
    });
  });

  describe('wire format', () => {
    it('answers with the fields of the recorded chat.completion fixture', async () => {
      const body = await readJSON(await post(request));
      const fixture = openaiFixture('openai.chat.response.text.json');
      assert.deepEqual(Object.keys(body), Object.keys(fixture));
      assert.deepEqual(Object.keys(body.choices[0].message), Object.keys(fixture.choices[0].message));
      assert.deepEqual(Object.keys(body.usage), Object.keys(fixture.usage));
      assert.match(body.id, /^chatcmpl-[A-Za-z0-9]+$/);
      assert.equal(body.model, 'gpt-4o-mini');
      assert.equal(body.choices[0].logprobs, null);
    });

    it('joins the text parts of array content', async () => {
      const body = await readJSON(
        await post({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'text', text: 'a b' }, { type: 'text', text: 'c' }] }] }),
      );
      assert.equal(body.choices[0].message.content, 'Hello from mock: a b c');
      assert.equal(body.usage.prompt_tokens, 3);
    });

    it('streams one chunk per word, then finish_reason, then [DONE]', async () => {
      const res = await post({ ...request, stream: true });
      assert.match(res.headers.get('content-type'), /^text\/event-stream/);
      const { events, trailing } = await readSSE(res);
      assert.equal(trailing, '');
      assert.equal(events.at(-1), DONE);
      assert.deepEqual(events[0].choices[0].delta, { role: 'assistant', content: '', refusal: null });
      assert.deepEqual(
        events.slice(1, -2).map((e) => e.choices[0].delta.content),
        ['Hello ', 'from ', 'mock: ', 'Say ', 'hello'],
      );
      assert.equal(events.at(-2).choices[0].finish_reason, 'stop');
      assert.ok(events.slice(0, -1).every((e) => !('usage' in e)), 'no usage key without include_usage');
    });

    it('with include_usage puts "usage":null on every chunk and adds a choices:[] usage chunk', async () => {
      const { events } = await readSSE(await post({ ...request, stream: true, stream_options: { include_usage: true } }));
      const chunks = events.slice(0, -1);
      assert.ok(chunks.slice(0, -1).every((e) => e.usage === null));
      assert.deepEqual(chunks.at(-1).choices, []);
      assert.equal(chunks.at(-1).usage.total_tokens, 7);
    });
  });

  describe('validation', () => {
    const cases = [
      ['missing key', request, 401, { code: 'invalid_api_key' }, {}],
      ['invalid JSON', '{"model":', 400, { type: 'invalid_request_error' }],
      ['missing model', { messages: request.messages }, 400, { param: 'model' }],
      ['missing messages', { model: 'm' }, 400, { param: 'messages' }],
      ['empty messages', { model: 'm', messages: [] }, 400, { param: 'messages' }],
      ['stream_options without stream', { ...request, stream_options: { include_usage: true } }, 400, { param: 'stream_options' }],
      // What a gateway leaks when it forwards what it should have translated or dropped.
      ['an unknown argument', { ...request, foo: 1 }, 400, { message: 'Unrecognized request argument supplied: foo', param: null, code: null }],
      ["Anthropic's top_k", { ...request, top_k: 40 }, 400, { message: 'Unrecognized request argument supplied: top_k' }],
      ['an unknown model', { ...request, model: 'gpt-9' }, 404, { message: 'The model `gpt-9` does not exist or you do not have access to it.', code: 'model_not_found' }],
      ["another vendor's model", { ...request, model: 'claude-sonnet-4-5' }, 404, { code: 'model_not_found' }],
      ['an alias name', { ...request, model: 'mock' }, 404, { code: 'model_not_found' }],
      ['top_p above 1', { ...request, top_p: 5 }, 400, { message: "Invalid 'top_p': decimal above maximum value. Expected a value <= 1, but got 5 instead.", param: 'top_p', code: 'decimal_above_max_value' }],
      ['max_tokens below 1', { ...request, max_tokens: -1 }, 400, { message: "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got -1 instead.", param: 'max_tokens', code: 'integer_below_min_value' }],
      ['a string temperature', { ...request, temperature: 'hot' }, 400, { param: 'temperature', code: 'invalid_type' }],
      ['a fractional n', { ...request, n: 1.5 }, 400, { param: 'n', code: 'invalid_type' }],
    ];
    for (const [name, body, status, expected, headers] of cases) {
      it(`answers ${name} with ${status}`, async () => {
        const res = await post(body, headers);
        assert.equal(res.status, status);
        const { error } = await readJSON(res);
        assert.equal(error.type, 'invalid_request_error');
        for (const [key, value] of Object.entries(expected)) assert.equal(error[key], value);
      });
    }

    it('accepts every documented argument at the edges of its range', async () => {
      const edges = { temperature: 2, top_p: 0, frequency_penalty: -2, presence_penalty: 2, n: 1, max_tokens: 1, seed: -5, logprobs: true, top_logprobs: 20, user: 'u', store: false };
      const res = await post({ ...request, ...edges });
      assert.equal(res.status, 200, await res.clone().text());
      await res.text();
    });

    it('does not echo the key it rejects', async () => {
      const text = await (await post(request, { authorization: 'Bearer sk-secret-wrong-key' })).text();
      assert.ok(!text.includes('sk-secret-wrong-key'));
    });
  });

  describe('behaviours', () => {
    it('status 429 sends retry-after: 1 and the fixture body by default', async () => {
      mock.script([{ kind: 'status', status: 429 }]);
      const res = await post(request);
      assert.equal(res.headers.get('retry-after'), '1');
      assert.deepEqual(await readJSON(res), openaiFixture('openai.error.429.json'));
    });

    it('status uses the given headers and body instead', async () => {
      mock.script([{ kind: 'status', status: 429, headers: { 'retry-after': '7' }, body: { error: { message: 'x' } } }]);
      const res = await post(request);
      assert.equal(res.headers.get('retry-after'), '7');
      assert.deepEqual(await readJSON(res), { error: { message: 'x' } });
    });

    it('behaviours are consumed one per chat request, then normal again', async () => {
      mock.script([{ kind: 'status', status: 500 }, { kind: 'status', status: 400 }]);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await post(request)).status);
      assert.deepEqual(statuses, [500, 400, 200]);
    });

    it('slow_first_byte delays the response headers', async () => {
      mock.script([{ kind: 'slow_first_byte', delay_ms: 300 }]);
      const started = Date.now();
      const res = await post(request);
      assert.ok(Date.now() - started >= 280);
      assert.equal(res.status, 200);
    });

    it('slow_stream spaces the frames out', async () => {
      mock.script([{ kind: 'slow_stream', interval_ms: 50 }]);
      const started = Date.now();
      const { events } = await readSSE(await post({ ...request, stream: true }));
      // 8 frames incl. [DONE] → 7 pauses
      assert.equal(events.length, 8);
      assert.ok(Date.now() - started >= 7 * 50 - 20);
    });

    it('truncate sends complete chunks, then half a frame, then drops the connection', async () => {
      mock.script([{ kind: 'truncate', after_chunks: 2 }]);
      const res = await post({ ...request, stream: true });
      assert.equal(res.status, 200);
      await assert.rejects(res.text(), 'reading a truncated stream must fail');
      const { frames, trailing } = parseSSE(mock.requests[0].response.body);
      assert.equal(frames.length, 2);
      assert.ok(trailing.startsWith('data: {'), `trailing: ${trailing}`);
    });

    it('error_midstream sends chunks, then an error frame, and ends cleanly', async () => {
      mock.script([{ kind: 'error_midstream', after_chunks: 1 }]);
      const { events, trailing } = await readSSE(await post({ ...request, stream: true }));
      assert.equal(trailing, '');
      assert.equal(events.length, 2);
      assert.equal(events[1].error.type, 'server_error');
    });

    it('reset drops the connection before any header', async () => {
      mock.script([{ kind: 'reset' }]);
      await assert.rejects(post(request));
    });

    it('firehose streams 1 KiB chunk frames up to `bytes`, then [DONE], reporting progress', async () => {
      mock.script([{ kind: 'firehose', bytes: 64 * 1024 }]);
      const { events, trailing, text } = await readSSE(await post({ ...request, stream: true }));
      assert.equal(trailing, '');
      assert.equal(events.length, 64 + 1);
      assert.equal(events.at(-1), DONE);
      assert.ok(events.slice(0, -1).every((e) => e.object === 'chat.completion.chunk' && e.choices[0].delta.content));
      assert.equal(Buffer.byteLength(text), 64 * 1024 + 'data: [DONE]\n\n'.length);
      assert.deepEqual(mock.lastFirehose, { written: 64 * 1024, total: 64 * 1024, done: true, aborted: false });
    });

    it('firehose waits for a client that does not read, and stops when it goes away', async () => {
      mock.script([{ kind: 'firehose', bytes: 256 * 1024 * 1024 }]);
      const controller = new AbortController();
      const res = await fetch(`${mock.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ ...request, stream: true }),
        signal: controller.signal,
      });
      assert.equal(res.status, 200);
      // Nothing reads the body: the socket buffers fill up and the writes stop well short.
      let last = -1;
      await waitFor(
        async () => {
          const { written } = mock.lastFirehose;
          const stalled = written === last;
          last = written;
          return stalled;
        },
        { timeoutMs: 5000, intervalMs: 200, message: 'the firehose to stall' },
      );
      assert.ok(!mock.lastFirehose.done && mock.lastFirehose.written < 64 * 1024 * 1024);
      controller.abort();
      await waitFor(() => mock.lastFirehose.aborted, { message: 'the firehose to notice the client left' });
    });

    it('hang never answers, and close() frees the request', async () => {
      const own = await startOpenAIMock({ apiKey: KEY });
      own.script([{ kind: 'hang' }]);
      const pending = fetch(`${own.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}` },
        body: JSON.stringify(request),
      });
      const outcome = await Promise.race([pending.then(() => 'answered', () => 'failed'), new Promise((r) => setTimeout(r, 300, 'waiting'))]);
      assert.equal(outcome, 'waiting');
      await own.close();
      await assert.rejects(pending);
    });
  });

  describe('recording and HTTP control', () => {
    it('records method, path, lower-cased headers and the raw body', async () => {
      const raw = '{"model":"m",  "messages":[{"role":"user","content":"x"}]}';
      await (await post(raw, { Authorization: `Bearer ${KEY}`, 'X-Custom': 'v' })).arrayBuffer();
      const [record] = mock.requests;
      assert.equal(record.method, 'POST');
      assert.equal(record.path, '/v1/chat/completions');
      assert.equal(record.headers['x-custom'], 'v');
      assert.equal(record.body, raw);
    });

    it('records the client port: the same for requests over one keep-alive connection', async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = 0; i < 3; i++) assert.equal((await getModels(mock.url, { agent })).object, 'list');
      } finally {
        agent.destroy();
      }
      const ports = mock.requests.map((r) => r.remotePort);
      assert.ok(Number.isInteger(ports[0]) && ports[0] > 0, `remotePort ${ports[0]}`);
      assert.deepEqual(ports, [ports[0], ports[0], ports[0]]);
    });

    it('closeIdleConnections() closes idle connections, not one with a request in flight', async () => {
      const own = await startOpenAIMock({ apiKey: KEY });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        await getModels(own.url, { agent }); // leaves one idle keep-alive connection
        own.script([{ kind: 'hang' }]);
        const busy = fetch(`${own.url}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}` },
          body: JSON.stringify(request),
        }).then(() => 'answered', () => 'failed');
        await waitFor(() => own.chatRequests().length === 1, { message: 'the hanging request to arrive' });
        assert.equal(own.closeIdleConnections(), 1, 'only the idle keep-alive connection');
        assert.equal(own.closeIdleConnections(), 0);
        await own.close();
        assert.equal(await busy, 'failed');
      } finally {
        agent.destroy();
        await own.close();
      }
    });

    it('serves HTTPS with tls: {key, cert}', async () => {
      const ca = createTestCA();
      const own = await startOpenAIMock({ apiKey: KEY, tls: ca.issueServerCert() });
      try {
        assert.match(own.url, /^https:\/\/127\.0\.0\.1:\d+\/v1$/);
        assert.equal((await getModels(own.url, { ca: ca.cert })).object, 'list');
        assert.equal(own.requests.length, 1);
        assert.ok(own.requests[0].remotePort > 0);
        // Without the CA the client must refuse the certificate.
        await assert.rejects(fetch(`${own.url}/models`));
      } finally {
        await own.close();
      }
    });

    it('POST /__mock/script, GET /__mock/requests and POST /__mock/reset work over HTTP', async () => {
      const base = mock.url.replace(/\/v1$/, '');
      await fetch(`${base}/__mock/script`, { method: 'POST', body: JSON.stringify([{ kind: 'status', status: 500 }]) });
      assert.equal((await post(request)).status, 500);
      const recorded = await readJSON(await fetch(`${base}/__mock/requests`));
      assert.equal(recorded.length, 1);
      assert.equal(recorded[0].path, '/v1/chat/completions');
      await fetch(`${base}/__mock/reset`, { method: 'POST' });
      assert.equal(mock.requests.length, 0);
      const { closed } = await readJSON(await fetch(`${base}/__mock/close-idle`, { method: 'POST' }));
      assert.ok(Number.isInteger(closed), `closed: ${closed}`);
    });

    it('runs as a CLI and prints its address', async () => {
      const script = fileURLToPath(new URL('./openai-mock.mjs', import.meta.url));
      const child = spawn(process.execPath, [script, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        const line = await new Promise((resolve, reject) => {
          child.stdout.setEncoding('utf8');
          child.stdout.once('data', resolve);
          child.once('exit', (code) => reject(new Error(`mock CLI exited ${code}`)));
        });
        const match = /^openai-mock listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(line);
        assert.ok(match, line);
        const res = await fetch(`${match[1]}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } });
        assert.equal(res.status, 200);
        await res.arrayBuffer();
      } finally {
        child.kill('SIGTERM');
      }
    });
  });
});
