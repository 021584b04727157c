// Self-check of the Anthropic mock, without the gateway: the official SDK (@anthropic-ai/sdk 1.12.0)
// pointed straight at it must pass every conformance cell (so the mock speaks the real wire format),
// the validations must fire like the real API's, and the behaviours must do what the suites rely on.
// Run: node --test tests/mocks/

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import Anthropic, { APIError, AuthenticationError, OverloadedError, RateLimitError } from '@anthropic-ai/sdk';

import { ADAPTERS } from '../conformance/clients.mjs';
import { itPassesTheCells } from '../conformance/cells.mjs';
import { parseSSE, readJSON } from '../support/http.mjs';
import { TINY_PNG_BASE64 } from './mock-answers.mjs';
import { startAnthropicMock } from './anthropic-mock.mjs';

const KEY = 'sk-upstream-test';
const MODEL = 'claude-haiku-4-5-20251001'; // listed by the mock's models endpoint
const NEW = '2026-10-21';
const OLD = '2023-06-01';
const weatherTool = { name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } };

describe('anthropic mock', () => {
  let mock;
  let sdk;
  before(async () => {
    mock = await startAnthropicMock({ apiKey: KEY });
    sdk = new Anthropic({ baseURL: mock.url, apiKey: KEY, maxRetries: 0, timeout: 5000 });
  });
  beforeEach(() => mock.reset());
  after(() => mock.close());

  /** POST a path with raw fetch; `version` null leaves the header out. */
  const post = (body, { path = '/v1/messages', version = NEW, headers = { 'x-api-key': KEY } } = {}) =>
    fetch(`${mock.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(version ? { 'anthropic-version': version } : {}), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
  const base = (overrides = {}) => ({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }], ...overrides });

  describe('the conformance cells pass with the official SDK', () => {
    itPassesTheCells({ adapter: ADAPTERS.anthropic, providerType: 'anthropic', getClient: () => sdk, getMock: () => mock, model: MODEL });
  });

  describe('wire format', () => {
    it('answers with the fields of the recorded message fixture', async () => {
      const res = await post(base());
      assert.equal(res.status, 200);
      assert.match(res.headers.get('request-id'), /^req_/);
      const body = await readJSON(res);
      assert.deepEqual(Object.keys(body), ['id', 'type', 'role', 'model', 'content', 'stop_reason', 'stop_sequence', 'usage', 'stop_details', 'container']);
      assert.deepEqual(body.content, [{ type: 'text', text: 'Hello from mock: Hi' }]);
      assert.deepEqual({ in: body.usage.input_tokens, out: body.usage.output_tokens }, { in: 1, out: 4 });
    });

    it('streams events with `event:` lines equal to data.type, message_start first and message_stop last', async () => {
      const res = await post(base({ stream: true }));
      assert.match(res.headers.get('content-type'), /^text\/event-stream/);
      const { frames, trailing } = parseSSE(await res.text());
      assert.equal(trailing, '');
      for (const f of frames) assert.equal(f.event, f.json.type);
      assert.deepEqual(frames.map((f) => f.event), [
        'message_start', 'ping', 'content_block_start',
        ...Array(4).fill('content_block_delta'),
        'content_block_stop', 'message_delta', 'message_stop',
      ]);
      assert.deepEqual(frames.at(-2).json.usage, { output_tokens: 4 });
    });

    it('streams a tool call as a text block, then tool_use blocks with input_json_delta fragments', async () => {
      const res = await post(base({ stream: true, tools: [weatherTool], messages: [{ role: 'user', content: 'Weather?' }] }));
      const events = parseSSE(await res.text()).frames.map((f) => f.json);
      const starts = events.filter((e) => e.type === 'content_block_start');
      assert.deepEqual(starts.map((e) => [e.index, e.content_block.type]), [[0, 'text'], [1, 'tool_use']]);
      const fragments = events.filter((e) => e.type === 'content_block_delta' && e.index === 1).map((e) => e.delta.partial_json);
      assert.ok(fragments.length >= 3, `expected an empty first fragment and 2-3 pieces: ${fragments}`);
      assert.deepEqual(JSON.parse(fragments.join('')), { city: 'Paris' });
      assert.equal(events.find((e) => e.type === 'message_delta').delta.stop_reason, 'tool_use');
    });

    it('forced tool choice: no preamble, and {"answer":"Hello"} for a tool without a city', async () => {
      const jsonTool = { name: 'respond', input_schema: { type: 'object' } };
      const body = await readJSON(await post(base({ tools: [jsonTool], tool_choice: { type: 'tool', name: 'respond' } })));
      assert.deepEqual(body.content.map((b) => [b.type, b.input]), [['tool_use', { answer: 'Hello' }]]);
    });

    it('cache tokens scripted on a normal answer are carved out of input_tokens', async () => {
      mock.script([{ kind: 'normal', cache_read_tokens: 2, cache_creation_tokens: 1 }]);
      const body = await readJSON(await post(base({ messages: [{ role: 'user', content: 'one two three four five' }] })));
      const u = body.usage;
      assert.deepEqual([u.input_tokens, u.cache_read_input_tokens, u.cache_creation_input_tokens], [2, 2, 1]);
    });

    it('count_tokens, models.list and models.retrieve work with the SDK', async () => {
      const count = await sdk.messages.countTokens({ model: MODEL, system: 'Be terse', messages: [{ role: 'user', content: 'hello there' }] });
      assert.deepEqual(count, { input_tokens: 4 });
      const ids = [];
      for await (const m of sdk.models.list()) ids.push(m.id);
      assert.ok(ids.includes('claude-sonnet-4-5-20250929'));
      assert.equal((await sdk.models.retrieve('claude-haiku-4-5-20251001')).display_name, 'Claude Haiku 4.5');
    });
  });

  describe('auth and versions', () => {
    it('accepts x-api-key (SDK 0.x, curl) and Authorization: Bearer (SDK 1.x)', async () => {
      assert.equal((await post(base())).status, 200);
      assert.equal((await post(base(), { headers: { authorization: `Bearer ${KEY}` } })).status, 200);
      assert.equal(mock.requests.at(-1).headers['anthropic-version'], NEW);
    });

    it('a wrong key is a 401 authentication_error (AuthenticationError in the SDK)', async () => {
      const wrong = new Anthropic({ baseURL: mock.url, apiKey: 'sk-wrong', maxRetries: 0 });
      const err = await wrong.messages.create(base()).catch((e) => e);
      assert.ok(err instanceof AuthenticationError, String(err));
      assert.equal(err.error.error.type, 'authentication_error');
      assert.equal(err.error.request_id, err.requestID);
    });

    it('a request without anthropic-version is a 400', async () => {
      const res = await post(base(), { version: null });
      assert.equal(res.status, 400);
      assert.match((await readJSON(res)).error.message, /anthropic-version/);
    });
  });

  describe('validation like the real API (400 invalid_request_error)', () => {
    const toolUse = (id = 'toolu_01', name = 'get_weather') => ({ type: 'tool_use', id, name, input: { city: 'Paris' } });
    const toolResult = (id = 'toolu_01') => ({ type: 'tool_result', tool_use_id: id, content: '21C' });
    const image = (source) => ({ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', source }] });
    const cases = [
      ['missing max_tokens', { model: MODEL, messages: [{ role: 'user', content: 'Hi' }] }, NEW, /^max_tokens: Field required$/],
      ['missing messages', { model: MODEL, max_tokens: 10 }, NEW, /^messages: Field required$/],
      ['empty messages', base({ messages: [] }), NEW, /at least one message is required/],
      ['role tool', base({ messages: [{ role: 'tool', content: 'x' }] }), NEW, /^messages\.0\.role: Input should be 'user', 'assistant' or 'system'$/],
      ['role system before 2026-10-21', base({ messages: [{ role: 'system', content: 'Be terse' }, { role: 'user', content: 'Hi' }] }), OLD, /^messages\.0\.role: Input should be 'user' or 'assistant'$/],
      ['empty text block', base({ messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }), NEW, /^messages: text content blocks must be non-empty$/],
      ['empty user content', base({ messages: [{ role: 'user', content: '' }] }), NEW, /user messages must have non-empty content/],
      [
        'tool_use without tool_result after it',
        base({ tools: [weatherTool], messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: [toolUse()] }, { role: 'user', content: 'and?' }] }),
        NEW,
        /^messages\.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_01\./,
      ],
      [
        'tool_result for an unknown tool_use_id',
        base({ tools: [weatherTool], messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: [toolUse()] }, { role: 'user', content: [toolResult(), toolResult('toolu_99')] }] }),
        NEW,
        /^messages\.2\.content\.1: unexpected `tool_use_id` found in `tool_result` blocks: toolu_99\./,
      ],
      [
        'tool_result after text in the same message',
        base({ tools: [weatherTool], messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: [toolUse()] }, { role: 'user', content: [{ type: 'text', text: 'here' }, toolResult()] }] }),
        NEW,
        /`tool_result` blocks must come first/,
      ],
      [
        'tool blocks without tools',
        base({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: [toolUse()] }, { role: 'user', content: [toolResult()] }] }),
        NEW,
        /^Requests which include `tool_use` or `tool_result` blocks must define tools\.$/,
      ],
      [
        'a tool_use naming a tool that is not offered',
        base({ tools: [weatherTool], messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: [toolUse('toolu_01', 'get_time')] }, { role: 'user', content: [toolResult()] }] }),
        NEW,
        /references tool 'get_time', which is not defined/,
      ],
      [
        'a tool id outside ^[a-zA-Z0-9_-]+$',
        base({ tools: [weatherTool], messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: [toolUse('call.1')] }, { role: 'user', content: [toolResult('call.1')] }] }),
        NEW,
        /tool_use\.id: String should match pattern/,
      ],
      [
        'tool input that is not an object',
        base({ tools: [weatherTool], messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: [{ ...toolUse(), input: '{"city":"Paris"}' }] }, { role: 'user', content: [toolResult()] }] }),
        NEW,
        /tool_use\.input: Input should be a valid dictionary/,
      ],
      ['tool_choice naming an unknown tool', base({ tools: [weatherTool], tool_choice: { type: 'tool', name: 'nope' } }), NEW, /Tool 'nope' not found/],
      ['tool_choice without tools', base({ tool_choice: { type: 'any' } }), NEW, /tool_choice may only be specified while providing tools/],
      ['tool input_schema not an object schema', base({ tools: [{ name: 'x', input_schema: { type: 'string' } }] }), NEW, /input_schema\.type: Input should be 'object'/],
      ['temperature with 2026-10-21', base({ temperature: 0.5 }), NEW, /^temperature: Extra inputs are not permitted$/],
      ['top_k with 2026-10-21', base({ top_k: 5 }), NEW, /^top_k: Extra inputs are not permitted$/],
      ['temperature above 1 with 2023-06-01', base({ temperature: 1.5 }), OLD, /^temperature: Input should be less than or equal to 1$/],
      ['a whitespace-only stop sequence', base({ stop_sequences: ['END', '\n'] }), NEW, /stop sequence must contain non-whitespace/],
      ['an unknown top-level field', base({ n: 2 }), NEW, /^n: Extra inputs are not permitted$/],
      ['image/bmp media type', base({ messages: [image({ type: 'base64', media_type: 'image/bmp', data: TINY_PNG_BASE64 })] }), NEW, /media_type: Input should be 'image\/jpeg', 'image\/png', 'image\/gif' or 'image\/webp'/],
      ['image source without data', base({ messages: [image({ type: 'base64', media_type: 'image/png' })] }), NEW, /source\.base64\.data: Field required/],
      ['PNG bytes labelled image/jpeg', base({ messages: [image({ type: 'base64', media_type: 'image/jpeg', data: TINY_PNG_BASE64 })] }), NEW, /appears to be a image\/png image/],
      ['an unknown image source type', base({ messages: [image({ type: 'data_url', url: `data:image/png;base64,${TINY_PNG_BASE64}` })] }), NEW, /Input tag 'data_url'/],
      ['trailing whitespace in a final assistant prefill', base({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Sure: ' }] }), NEW, /final assistant content cannot end with trailing whitespace/],
      ['thinking budget under 1024', base({ max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 100 } }), NEW, /budget_tokens: Input should be greater than or equal to 1024/],
    ];
    for (const [name, body, version, message] of cases) {
      it(`rejects ${name}`, async () => {
        const res = await post(body, { version });
        const json = await readJSON(res);
        assert.equal(res.status, 400, JSON.stringify(json));
        assert.equal(json.type, 'error');
        assert.equal(json.error.type, 'invalid_request_error');
        assert.match(json.error.message, message);
        assert.match(json.request_id, /^req_/);
      });
    }

    const accepted = [
      ['role system with 2026-10-21', base({ messages: [{ role: 'system', content: 'Be terse' }, { role: 'user', content: 'Hi' }] }), NEW],
      ['temperature with 2023-06-01', base({ temperature: 0.5, top_k: 5 }), OLD],
      ['an assistant prefill as the last message', base({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'The answer is' }] }), NEW],
      ['a first message from the assistant', base({ messages: [{ role: 'assistant', content: 'Hello' }, { role: 'user', content: 'Hi' }] }), NEW],
      ['consecutive user turns', base({ messages: [{ role: 'user', content: 'Hi' }, { role: 'user', content: 'again' }] }), NEW],
      ['a base64 PNG image', base({ messages: [image({ type: 'base64', media_type: 'image/png', data: TINY_PNG_BASE64 })] }), NEW],
      ['output_config json_schema', base({ output_config: { format: { type: 'json_schema', schema: { type: 'object' } } } }), NEW],
    ];
    for (const [name, body, version] of accepted) {
      it(`accepts ${name}`, async () => {
        const res = await post(body, { version });
        assert.equal(res.status, 200, await res.text());
      });
    }

    it('answers the JSON text for output_config.format json_schema', async () => {
      const body = await readJSON(await post(base({ output_config: { format: { type: 'json_schema', schema: { type: 'object' } } } })));
      assert.deepEqual(JSON.parse(body.content[0].text), { answer: 'Hello' });
    });

    it('unknown models are a 404 not_found_error', async () => {
      const res = await post(base({ model: 'gpt-4o' }));
      assert.equal(res.status, 404);
      assert.deepEqual((await readJSON(res)).error, { type: 'not_found_error', message: 'model: gpt-4o' });
    });
  });

  describe('behaviours', () => {
    it('a scripted 429 keeps retry-after and raises RateLimitError', async () => {
      mock.script([{ kind: 'status', status: 429 }]);
      const err = await sdk.messages.create(base()).catch((e) => e);
      assert.ok(err instanceof RateLimitError, String(err));
      assert.equal(err.headers.get('retry-after'), '1');
      assert.equal(err.error.error.type, 'rate_limit_error');
    });

    it('a scripted 529 raises OverloadedError', async () => {
      mock.script([{ kind: 'status', status: 529 }]);
      const err = await sdk.messages.create(base()).catch((e) => e);
      assert.ok(err instanceof OverloadedError, String(err));
      assert.equal(err.status, 529);
    });

    it('error_midstream sends `event: error` overloaded_error after N events', async () => {
      mock.script([{ kind: 'error_midstream', after_chunks: 4 }]);
      const { frames } = parseSSE(await (await post(base({ stream: true }))).text());
      assert.deepEqual(frames.at(-1).json, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
      assert.equal(frames.at(-1).event, 'error');
      assert.equal(frames.length, 5);
      mock.script([{ kind: 'error_midstream', after_chunks: 4 }]);
      const err = await sdk.messages.stream(base()).finalMessage().catch((e) => e);
      assert.ok(err instanceof APIError, String(err));
    });

    it('truncate drops the socket in the middle of an event', async () => {
      mock.script([{ kind: 'truncate', after_chunks: 3 }]);
      const err = await sdk.messages.stream(base()).finalMessage().catch((e) => e);
      assert.ok(err instanceof Error, 'the stream should fail');
    });

    it('slow_first_byte delays the answer; hang never answers', async () => {
      mock.script([{ kind: 'slow_first_byte', delay_ms: 50 }]);
      const started = Date.now();
      assert.equal((await post(base())).status, 200);
      assert.ok(Date.now() - started >= 45);
      mock.script([{ kind: 'hang' }]);
      await assert.rejects(
        fetch(`${mock.url}/v1/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'anthropic-version': NEW, 'x-api-key': KEY },
          body: JSON.stringify(base()),
          signal: AbortSignal.timeout(200),
        }),
        /timeout|aborted/i,
      );
    });
  });
});
