// Self-check of what the OpenAI mock gained for the cross-dialect suites (openai-extras.mjs): the
// conformance cells with the official SDK (plain and AzureOpenAI), tool calls and JSON mode, the
// validations that catch bad translations, the Azure flavour and /v1/embeddings.
// (openai-mock.test.mjs covers the original behaviours.) Run: node --test tests/mocks/

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { AuthenticationError, AzureOpenAI, NotFoundError } from 'openai';

import { ADAPTERS } from '../conformance/clients.mjs';
import { itPassesTheCells } from '../conformance/cells.mjs';
import { EMBEDDING_CELLS } from '../conformance/embedding-cells.mjs';
import { DONE, readJSON, readSSE } from '../support/http.mjs';
import { sdkClient } from '../support/sdk.mjs';
import { TINY_PNG_BASE64, mockEmbedding } from './mock-answers.mjs';
import { startOpenAIMock } from './openai-mock.mjs';

const KEY = 'sk-upstream-test';
const DEPLOYMENT = 'my-gpt4o-deployment';
const API_VERSION = '2024-10-21';
const fn = (name = 'get_weather', parameters = { type: 'object', properties: { city: { type: 'string' } } }, extra = {}) => ({
  type: 'function',
  function: { name, parameters, ...extra },
});

describe('openai mock: cross-dialect additions', () => {
  let mock;
  let azure;
  before(async () => {
    mock = await startOpenAIMock({ apiKey: KEY });
    azure = await startOpenAIMock({ apiKey: KEY, azure: true });
  });
  beforeEach(() => {
    mock.reset();
    azure.reset();
  });
  after(() => Promise.all([mock.close(), azure.close()]));

  const post = (body, { path = '/chat/completions', headers = { authorization: `Bearer ${KEY}` } } = {}) =>
    fetch(`${mock.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
  const azurePost = (body, { deployment = DEPLOYMENT, query = `?api-version=${API_VERSION}`, headers = { 'api-key': KEY }, operation = 'chat/completions' } = {}) =>
    fetch(`${azure.url}/openai/deployments/${deployment}/${operation}${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
  const base = (overrides = {}) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], ...overrides });

  describe('the conformance cells pass with the official SDK', () => {
    describe('OpenAI', () => {
      itPassesTheCells({
        adapter: ADAPTERS.openai,
        providerType: 'openai',
        getClient: () => ADAPTERS.openai.create(mock.url.replace(/\/v1$/, ''), KEY),
        getMock: () => mock,
        model: 'gpt-4o-mini',
      });
      for (const cell of EMBEDDING_CELLS.filter((c) => c.client === 'openai')) {
        it(`embeddings cell: ${cell.name}`, () => cell.run(sdkClient(mock.url, KEY), 'text-embedding-3-small'));
      }
    });
    describe('Azure OpenAI (AzureOpenAI client)', () => {
      itPassesTheCells({
        adapter: ADAPTERS.openai,
        providerType: 'azure-openai',
        getClient: () => ADAPTERS.openai.create(azure.url, KEY, { azure: { apiVersion: API_VERSION, deployment: DEPLOYMENT } }),
        getMock: () => azure,
        model: DEPLOYMENT,
        // Azure lists deployments on its management API only, and any deployment name is the customer's.
        skip: ['models list shows the alias', 'unknown model → 404'],
      });
    });
    describe('OpenAI Responses (responses.create, responses.stream())', () => {
      itPassesTheCells({
        adapter: ADAPTERS['openai-responses'],
        providerType: 'openai-responses',
        getClient: () => ADAPTERS['openai-responses'].create(mock.url.replace(/\/v1$/, ''), KEY),
        getMock: () => mock,
        model: 'gpt-4o-mini',
      });
    });
  });

  describe('answers', () => {
    it('tool calls: content null, tool_calls with call_ ids and JSON string arguments, finish_reason tool_calls', async () => {
      const body = await readJSON(await post(base({ tools: [fn(), fn('get_time')] })));
      const { message, finish_reason } = body.choices[0];
      assert.equal(finish_reason, 'tool_calls');
      assert.equal(message.content, null);
      assert.equal(message.tool_calls.length, 1);
      assert.match(message.tool_calls[0].id, /^call_/);
      assert.equal(message.tool_calls[0].function.arguments, '{"city":"Paris"}');
    });

    it('streams tool calls: a first fragment with id/type/name, then argument pieces, dense indexes', async () => {
      const { events } = await readSSE(await post(base({ stream: true, tools: [fn(), fn('get_time')], messages: [{ role: 'user', content: 'both, in parallel' }] })));
      assert.equal(events.at(-1), DONE);
      const deltas = events.slice(0, -1).flatMap((e) => e.choices[0]?.delta?.tool_calls ?? []);
      assert.deepEqual([...new Set(deltas.map((d) => d.index))], [0, 1]);
      for (const index of [0, 1]) {
        const mine = deltas.filter((d) => d.index === index);
        assert.equal(mine[0].type, 'function');
        assert.ok(mine[0].id && mine[0].function.name);
        assert.ok(mine.length >= 3, 'arguments come in 2-3 fragments');
        assert.deepEqual(JSON.parse(mine.map((d) => d.function.arguments).join('')), { city: 'Paris' });
      }
      assert.equal(events.at(-2).choices[0].finish_reason, 'tool_calls');
    });

    it('tool_choice none answers text; a named function is called', async () => {
      const none = await readJSON(await post(base({ tools: [fn()], tool_choice: 'none' })));
      assert.equal(none.choices[0].message.content, 'Hello from mock: Hi');
      const named = await readJSON(await post(base({ tools: [fn(), fn('get_time')], tool_choice: { type: 'function', function: { name: 'get_time' } } })));
      assert.equal(named.choices[0].message.tool_calls[0].function.name, 'get_time');
    });

    it('JSON mode answers {"answer":"Hello"}', async () => {
      const body = await readJSON(await post(base({ messages: [{ role: 'user', content: 'Reply in JSON' }], response_format: { type: 'json_object' } })));
      assert.deepEqual(JSON.parse(body.choices[0].message.content), { answer: 'Hello' });
    });

    it('reports scripted cached and reasoning tokens', async () => {
      mock.script([{ kind: 'normal', cached_tokens: 2, reasoning_tokens: 3 }]);
      const { usage } = await readJSON(await post(base({ messages: [{ role: 'user', content: 'one two three four five' }] })));
      assert.deepEqual(
        [usage.prompt_tokens, usage.prompt_tokens_details.cached_tokens, usage.completion_tokens, usage.completion_tokens_details.reasoning_tokens],
        [5, 2, 11, 3],
      );
    });
  });

  describe('validation of translated requests, like the real API', () => {
    const assistantCalls = (...ids) => ({
      role: 'assistant',
      content: null,
      tool_calls: ids.map((id) => ({ id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } })),
    });
    const tool = (id, content = '21C') => ({ role: 'tool', tool_call_id: id, content });
    const cases = [
      ['a tool message with no tool_calls before it', base({ messages: [{ role: 'user', content: 'Hi' }, tool('call_1')] }), /messages with role 'tool' must be a response to a preceeding message with 'tool_calls'/, 'messages.[1].role'],
      ['a tool message answering an unknown id', base({ tools: [fn()], messages: [{ role: 'user', content: 'Hi' }, assistantCalls('call_1'), tool('call_9')] }), /'tool_call_id' of 'call_9' not found/, 'messages.[2].tool_call_id'],
      ['a tool call without its answer', base({ tools: [fn()], messages: [{ role: 'user', content: 'Hi' }, assistantCalls('call_1', 'call_2'), tool('call_1')] }), /did not have response messages: call_2$/, 'messages.[1].role'],
      ['tool answers separated by a user message', base({ tools: [fn()], messages: [{ role: 'user', content: 'Hi' }, assistantCalls('call_1'), { role: 'user', content: 'x' }, tool('call_1')] }), /messages with role 'tool' must be a response to a preceeding message with 'tool_calls'/, 'messages.[3].role'],
      ['tool_choice without tools', base({ tool_choice: 'auto' }), /'tool_choice' is only allowed when 'tools' are specified/, 'tool_choice'],
      ['parallel_tool_calls without tools', base({ parallel_tool_calls: false }), /'parallel_tool_calls' is only allowed when 'tools' are specified/, 'parallel_tool_calls'],
      ['an Anthropic-style image part', base({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: TINY_PNG_BASE64 } }] }] }), /^Invalid value: 'image'\. Supported values are: 'text', 'image_url', 'input_audio', and 'file'\.$/, 'messages[0].content[0].type'],
      ['an image part in a system message', base({ messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${TINY_PNG_BASE64}` } }] }, { role: 'user', content: 'Hi' }] }), /Supported values are: 'text'\./, 'messages[0].content[0].type'],
      ['a data URL that is not an image', base({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:text/plain;base64,aGVsbG8=' } }] }] }), /unsupported MIME type 'text\/plain'/, 'messages[0].content[0].image_url.url'],
      ['tool call arguments given as an object', base({ tools: [fn()], messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: { city: 'Paris' } } }] }, tool('call_1')] }), /function\.arguments': expected a string, but got object instead/, 'messages[1].tool_calls[0].function.arguments'],
      ['an assistant message with null content and no tool calls', base({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: null }, { role: 'user', content: 'x' }] }), /expected a string, got null/, 'messages.[1].content'],
      ['the fixture role robot', base({ messages: [{ role: 'robot', content: 'x' }] }), /^Invalid value: 'robot'\. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'\.$/, 'messages[0].role'],
      ['Gemini upper-case schema types', base({ tools: [fn('get_weather', { type: 'OBJECT', properties: { city: { type: 'STRING' } } })] }), /schema must be a JSON Schema of 'type: "object"', got 'type: "OBJECT"'/, 'tools[0].function.parameters'],
      ['an upper-case nested type', base({ tools: [fn('get_weather', { type: 'object', properties: { city: { type: 'STRING' } } })] }), /"STRING" is not valid under any of the given schemas/, 'tools[0].function.parameters'],
      ['a strict schema without additionalProperties: false', base({ tools: [fn('get_weather', { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, { strict: true })] }), /'additionalProperties' is required to be supplied and to be false/, 'tools[0].function.parameters'],
      ['a strict schema that does not require every property', base({ tools: [fn('get_weather', { type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false }, { strict: true })] }), /including every key in properties\. Missing 'city'/, 'tools[0].function.parameters'],
      ['a function name with a dot', base({ tools: [fn('ns.get_weather')] }), /string does not match pattern/, 'tools[0].function.name'],
      ['json_object without the word json', base({ response_format: { type: 'json_object' } }), /must contain the word 'json'/, 'messages'],
      ['json_schema without a name', base({ response_format: { type: 'json_schema', json_schema: { schema: { type: 'object' } } } }), /response_format\.json_schema\.name/, 'response_format.json_schema.name'],
      ['five stop sequences', base({ stop: ['a', 'b', 'c', 'd', 'e'] }), /array too long/, 'stop'],
      ['temperature above 2', base({ temperature: 2.5 }), /Expected a value <= 2/, 'temperature'],
    ];
    for (const [name, body, message, param] of cases) {
      it(`rejects ${name}`, async () => {
        const res = await post(body);
        const json = await readJSON(res);
        assert.equal(res.status, 400, JSON.stringify(json));
        assert.equal(json.error.type, 'invalid_request_error');
        assert.match(json.error.message, message);
        assert.equal(json.error.param, param);
      });
    }

    const accepted = [
      ['a developer message', base({ messages: [{ role: 'developer', content: 'Be terse' }, { role: 'user', content: 'Hi' }] })],
      ['parallel tool answers in any order', base({ tools: [fn()], messages: [{ role: 'user', content: 'Hi' }, assistantCalls('call_1', 'call_2'), tool('call_2'), tool('call_1')] })],
      ['an assistant message with text and tool calls', base({ tools: [fn()], messages: [{ role: 'user', content: 'Hi' }, { ...assistantCalls('call_1'), content: 'Let me check.' }, tool('call_1')] })],
      ['tool content as text parts', base({ tools: [fn()], messages: [{ role: 'user', content: 'Hi' }, assistantCalls('call_1'), { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: '21C' }] }] })],
      ['an https image URL', base({ messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } }] }] })],
      ['a strict json_schema', base({ response_format: { type: 'json_schema', json_schema: { name: 'answer', strict: true, schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false } } } })],
      ['an empty assistant content string', base({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: '' }, { role: 'user', content: 'x' }] })],
    ];
    for (const [name, body] of accepted) {
      it(`accepts ${name}`, async () => {
        const res = await post(body);
        assert.equal(res.status, 200, await res.text());
      });
    }

    it('answers "Tool said: …" with the tool results in order', async () => {
      const body = await readJSON(await post(base({ tools: [fn()], messages: [{ role: 'user', content: 'Hi' }, assistantCalls('call_1', 'call_2'), tool('call_1', 'a'), tool('call_2', 'b')] })));
      assert.equal(body.choices[0].message.content, 'Tool said: a | b');
    });
  });

  describe('Azure OpenAI', () => {
    it('serves /openai/deployments/{deployment}/chat/completions with the deployment as model and content-filter fields', async () => {
      const res = await azurePost({ messages: [{ role: 'user', content: 'Hi' }] });
      const body = await readJSON(res);
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.model, DEPLOYMENT);
      assert.equal(body.choices[0].message.content, 'Hello from mock: Hi');
      assert.ok(body.prompt_filter_results && body.choices[0].content_filter_results);
    });

    it('streams start with the empty-choices prompt-filter chunk', async () => {
      const { events } = await readSSE(await azurePost({ messages: [{ role: 'user', content: 'Hi' }], stream: true }));
      assert.deepEqual(events[0].choices, []);
      assert.equal(events[0].id, '');
      assert.ok(events[0].prompt_filter_results);
      assert.equal(events.at(-1), DONE);
    });

    it('wants an api-key header (not Bearer) and api-version', async () => {
      const bearer = await azurePost({ messages: [{ role: 'user', content: 'Hi' }] }, { headers: { authorization: `Bearer ${KEY}` } });
      assert.equal(bearer.status, 401);
      assert.match((await readJSON(bearer)).error.message, /Access denied/);
      const noVersion = await azurePost({ messages: [{ role: 'user', content: 'Hi' }] }, { query: '' });
      assert.equal(noVersion.status, 404);
      assert.deepEqual(await readJSON(noVersion), { error: { code: '404', message: 'Resource not found' } });
      assert.equal((await fetch(`${azure.url}/v1/chat/completions`, { method: 'POST', headers: { 'api-key': KEY } })).status, 404);
    });

    it('works with the AzureOpenAI SDK client, errors included', async () => {
      const client = new AzureOpenAI({ endpoint: azure.url, apiKey: KEY, apiVersion: API_VERSION, deployment: DEPLOYMENT, maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: 'ignored', messages: [{ role: 'user', content: 'Hi' }] });
      assert.equal(completion.choices[0].message.content, 'Hello from mock: Hi');
      const seen = azure.chatRequests().at(-1);
      assert.equal(seen.path, `/openai/deployments/${DEPLOYMENT}/chat/completions?api-version=${API_VERSION}`);
      assert.equal(seen.headers['api-key'], KEY);
      const wrong = new AzureOpenAI({ endpoint: azure.url, apiKey: 'nope', apiVersion: API_VERSION, deployment: DEPLOYMENT, maxRetries: 0 });
      const err = await wrong.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'Hi' }] }).catch((e) => e);
      assert.ok(err instanceof AuthenticationError, String(err));
      const embeddings = await client.embeddings.create({ model: 'ignored', input: 'hello', encoding_format: 'float' });
      assert.deepEqual(embeddings.data[0].embedding, mockEmbedding('hello'));
    });
  });

  describe('embeddings', () => {
    it('answers floats by default and little-endian float32 base64 when asked', async () => {
      const floats = await readJSON(await post({ model: 'text-embedding-3-small', input: ['a b', 'c'] }, { path: '/embeddings' }));
      assert.deepEqual(floats.data.map((d) => d.embedding), [mockEmbedding('a b'), mockEmbedding('c')]);
      assert.deepEqual(floats.usage, { prompt_tokens: 3, total_tokens: 3 });
      const b64 = await readJSON(await post({ model: 'text-embedding-3-small', input: 'a b', encoding_format: 'base64' }, { path: '/embeddings' }));
      const bytes = Buffer.from(b64.data[0].embedding, 'base64');
      const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
      decoded.forEach((v, i) => assert.ok(Math.abs(v - mockEmbedding('a b')[i]) < 1e-6));
    });

    it('rejects what the real API rejects', async () => {
      for (const [body, message] of [
        [{ model: 'm', input: '' }, /'\$\.input' is invalid/],
        [{ model: 'm' }, /Missing required parameter: 'input'/],
        [{ model: 'm', input: 'x', encoding_format: 'int8' }, /Supported values are: 'float' and 'base64'/],
        [{ model: 'm', input: 'x', task_type: 'RETRIEVAL_QUERY' }, /Unrecognized request argument supplied: task_type/],
      ]) {
        const res = await post(body, { path: '/embeddings' });
        assert.equal(res.status, 400);
        assert.match((await readJSON(res)).error.message, message);
      }
    });

    it('the SDK rejects a wrong key with AuthenticationError and unknown routes are 404', async () => {
      const err = await sdkClient(mock.url, 'nope').embeddings.create({ model: 'm', input: 'x' }).catch((e) => e);
      assert.ok(err instanceof AuthenticationError, String(err));
      const missing = await sdkClient(mock.url, KEY).completions.create({ model: 'm', prompt: 'x' }).catch((e) => e);
      assert.ok(missing instanceof NotFoundError, String(missing));
    });
  });
});
