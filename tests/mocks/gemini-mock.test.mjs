// Self-check of the Gemini mock, without the gateway: the official SDK (@google/genai 2.32.0)
// pointed straight at it must pass every conformance cell and the embeddings cells, the validations
// must fire like the real API's, and the behaviours must do what the suites rely on.
// Run: node --test tests/mocks/

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApiError, GoogleGenAI } from '@google/genai';

import { ADAPTERS } from '../conformance/clients.mjs';
import { itPassesTheCells } from '../conformance/cells.mjs';
import { EMBEDDING_CELLS } from '../conformance/embedding-cells.mjs';
import { readJSON } from '../support/http.mjs';
import { TINY_PNG_BASE64 } from './mock-answers.mjs';
import { startGeminiMock } from './gemini-mock.mjs';

const KEY = 'sk-upstream-test';
const MODEL = 'gemini-2.5-flash';

describe('gemini mock', () => {
  let mock;
  let ai;
  before(async () => {
    mock = await startGeminiMock({ apiKey: KEY });
    ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: mock.url, timeout: 5000 } });
  });
  beforeEach(() => mock.reset());
  after(() => mock.close());

  const post = (body, { method = 'generateContent', model = MODEL, query = '', headers = { 'x-goog-api-key': KEY } } = {}) =>
    fetch(`${mock.url}/v1beta/models/${model}:${method}${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
  const user = (text) => ({ role: 'user', parts: [{ text }] });
  const base = (overrides = {}) => ({ contents: [user('Hi')], ...overrides });
  const decl = (name = 'get_weather', parameters = { type: 'OBJECT', properties: { city: { type: 'STRING' } } }) => ({ name, parameters });
  const call = (name = 'get_weather') => ({ functionCall: { name, args: { city: 'Paris' } } });
  const response = (name = 'get_weather', value = { temp_c: 21 }) => ({ functionResponse: { name, response: value } });

  describe('the conformance cells pass with the official SDK', () => {
    itPassesTheCells({ adapter: ADAPTERS.gemini, providerType: 'gemini', getClient: () => ai, getMock: () => mock, model: MODEL });
    for (const cell of EMBEDDING_CELLS.filter((c) => c.client === 'gemini')) {
      it(`embeddings cell: ${cell.name}`, () => cell.run(ai, 'gemini-embedding-001'));
    }
  });

  describe('wire format', () => {
    it('answers with the fields of the recorded generateContent fixture', async () => {
      const res = await post(base());
      assert.equal(res.status, 200);
      const body = await readJSON(res);
      assert.deepEqual(Object.keys(body), ['candidates', 'usageMetadata', 'modelVersion', 'responseId']);
      assert.deepEqual(body.candidates[0].content, { parts: [{ text: 'Hello from mock: Hi' }], role: 'model' });
      assert.equal(body.candidates[0].finishReason, 'STOP');
      assert.deepEqual([body.usageMetadata.promptTokenCount, body.usageMetadata.candidatesTokenCount, body.usageMetadata.totalTokenCount], [1, 4, 5]);
    });

    it('streams CRLF-separated `data:` frames without [DONE], running usage, finishReason last', async () => {
      const res = await post(base(), { method: 'streamGenerateContent', query: '?alt=sse' });
      assert.match(res.headers.get('content-type'), /^text\/event-stream/);
      const text = await res.text();
      assert.ok(text.endsWith('\r\n\r\n'));
      assert.ok(!text.includes('[DONE]'));
      const chunks = text.split('\r\n\r\n').filter(Boolean).map((f) => {
        assert.match(f, /^data: \{/);
        return JSON.parse(f.slice('data: '.length));
      });
      assert.deepEqual(chunks.map((c) => c.candidates[0].content.parts[0].text), ['Hello ', 'from ', 'mock: ', 'Hi', '']);
      assert.deepEqual(chunks.map((c) => c.candidates[0].finishReason ?? null), [null, null, null, null, 'STOP']);
      assert.deepEqual(chunks[0].usageMetadata, { promptTokenCount: 1, totalTokenCount: 1 });
      assert.equal(chunks.at(-1).usageMetadata.candidatesTokenCount, 4);
    });

    it('streams each functionCall whole in its own chunk', async () => {
      const res = await post(base({ contents: [user('Weather and time, in parallel')], tools: [{ functionDeclarations: [decl(), decl('get_time')] }] }), {
        method: 'streamGenerateContent',
        query: '?alt=sse',
      });
      const chunks = (await res.text()).split('\r\n\r\n').filter(Boolean).map((f) => JSON.parse(f.slice(6)));
      assert.deepEqual(chunks.map((c) => c.candidates[0].content.parts.map((p) => p.functionCall.name)), [['get_weather'], ['get_time']]);
      assert.equal(chunks.at(-1).candidates[0].finishReason, 'STOP');
      assert.ok(chunks.every((c) => c.candidates[0].content.parts.every((p) => p.functionCall.id === undefined)), 'no ids, like Gemini 2.x');
    });

    it('without alt=sse streams one JSON array', async () => {
      const res = await post(base(), { method: 'streamGenerateContent' });
      const chunks = await readJSON(res);
      assert.ok(Array.isArray(chunks) && chunks.length === 5);
    });

    it('thoughts and cached tokens scripted on a normal answer show up in usageMetadata', async () => {
      mock.script([{ kind: 'normal', cached_tokens: 2, thoughts_tokens: 3 }]);
      const { usageMetadata } = await readJSON(await post(base({ contents: [user('one two three four five')] })));
      assert.deepEqual(usageMetadata, {
        promptTokenCount: 5,
        candidatesTokenCount: 8,
        totalTokenCount: 16,
        cachedContentTokenCount: 2,
        thoughtsTokenCount: 3,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 5 }],
      });
    });

    it('candidateCount 2 answers two candidates', async () => {
      const body = await readJSON(await post(base({ generationConfig: { candidateCount: 2 } })));
      assert.deepEqual(body.candidates.map((c) => c.index), [0, 1]);
    });

    it('countTokens and models.list work with the SDK', async () => {
      const count = await ai.models.countTokens({ model: MODEL, contents: 'hello there' });
      assert.equal(count.totalTokens, 2);
      const names = [];
      for await (const m of await ai.models.list()) names.push(m.name);
      assert.deepEqual(names, ['models/gemini-2.5-flash', 'models/gemini-embedding-001']);
    });

    it('batchEmbedContents wants every request to name the URL model', async () => {
      const res = await post({ requests: [{ model: 'models/other-embedding', content: { parts: [{ text: 'x' }] } }] }, { method: 'batchEmbedContents', model: 'gemini-embedding-001' });
      assert.equal(res.status, 400);
      assert.match((await readJSON(res)).error.message, /must match models\/gemini-embedding-001/);
      const single = await readJSON(await post({ content: { parts: [{ text: 'x' }] } }, { method: 'embedContent', model: 'gemini-embedding-001' }));
      assert.equal(single.embedding.values.length, 8);
    });

    it('embedding and generation models are not interchangeable (404 like upstream)', async () => {
      assert.equal((await post(base(), { model: 'gemini-embedding-001' })).status, 404);
      assert.equal((await post({ requests: [] }, { method: 'batchEmbedContents', model: MODEL })).status, 404);
    });
  });

  describe('auth', () => {
    it('accepts the key in x-goog-api-key or ?key=', async () => {
      assert.equal((await post(base())).status, 200);
      assert.equal((await post(base(), { query: `?key=${KEY}`, headers: {} })).status, 200);
    });

    it('a wrong key is the real 400 API_KEY_INVALID; no key is the real 403', async () => {
      const wrong = await post(base(), { headers: { 'x-goog-api-key': 'nope' } });
      assert.equal(wrong.status, 400);
      assert.equal((await readJSON(wrong)).error.details[0].reason, 'API_KEY_INVALID');
      const none = await post(base(), { headers: {} });
      assert.equal(none.status, 403);
      assert.equal((await readJSON(none)).error.status, 'PERMISSION_DENIED');
      const sdkErr = await new GoogleGenAI({ apiKey: 'nope', httpOptions: { baseUrl: mock.url } }).models.generateContent({ model: MODEL, contents: 'hi' }).catch((e) => e);
      assert.ok(sdkErr instanceof ApiError && sdkErr.status === 400, String(sdkErr));
    });
  });

  describe('validation like the real API (400 INVALID_ARGUMENT)', () => {
    const history = (...contents) => ({ contents, tools: [{ functionDeclarations: [decl(), decl('get_time')] }] });
    const cases = [
      ['no contents', {}, /contents is not specified/],
      ['empty contents', { contents: [] }, /contents is not specified/],
      ['a model turn last', { contents: [user('Hi'), { role: 'model', parts: [{ text: 'Sure' }] }] }, /end with a user turn/],
      ['role assistant', { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }, user('Hi')] }, /^Please use a valid role: user, model\.$/],
      ['role system', { contents: [{ role: 'system', parts: [{ text: 'x' }] }, user('Hi')] }, /valid role/],
      ['a part with no data field', { contents: [{ role: 'user', parts: [{}] }] }, /contents\[0\]\.parts\[0\]\.data: required oneof field 'data' must have one initialized field/],
      ['a part with two data fields', { contents: [{ role: 'user', parts: [{ text: 'x', inlineData: { mimeType: 'image/png', data: TINY_PNG_BASE64 } }] }] }, /oneof field 'data' is already set/],
      ['an empty text part', { contents: [{ role: 'user', parts: [{ text: '' }] }] }, /required oneof field 'data'/],
      ['no parts', { contents: [{ role: 'user', parts: [] }] }, /parts must not be empty/],
      ['inlineData with broken base64', { contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: 'not base64!' } }] }] }, /Base64 decoding failed/],
      [
        'fewer function responses than calls',
        history(user('Hi'), { role: 'model', parts: [call(), call('get_time')] }, { role: 'user', parts: [response()] }),
        /number of function response parts is equal to the number of function call parts/,
      ],
      [
        'function responses whose names do not match the calls',
        history(user('Hi'), { role: 'model', parts: [call()] }, { role: 'user', parts: [response('get_time')] }),
        /names of the function response parts match/,
      ],
      [
        'a plain user turn after function calls',
        history(user('Hi'), { role: 'model', parts: [call()] }, user('and?')),
        /number of function response parts/,
      ],
      ['a function response without a call turn before it', history(user('Hi'), { role: 'user', parts: [response()] }), /comes immediately after a function call turn/],
      ['a function call turn first', history({ role: 'model', parts: [call()] }, { role: 'user', parts: [response()] }), /function call turn comes immediately after a user turn/],
      [
        'a string function response',
        history(user('Hi'), { role: 'model', parts: [call()] }, { role: 'user', parts: [response('get_weather', '21C')] }),
        /function_response\.response' \(type\.googleapis\.com\/google\.protobuf\.Struct\), "21C"/,
      ],
      [
        'an array function response',
        history(user('Hi'), { role: 'model', parts: [call()] }, { role: 'user', parts: [response('get_weather', [21])] }),
        /Unknown name "response" at .*Proto field is not repeating, cannot start list/,
      ],
      ['a function name starting with a digit', { ...base(), tools: [{ functionDeclarations: [decl('1weather')] }] }, /Invalid function name/],
      ['a function name with a space', { ...base(), tools: [{ functionDeclarations: [decl('get weather')] }] }, /Invalid function name/],
      ['toolConfig without functionDeclarations', base({ toolConfig: { functionCallingConfig: { mode: 'AUTO' } } }), /function_calling_config is only supported when function_declarations are provided/],
      ['allowedFunctionNames with mode AUTO', base({ tools: [{ functionDeclarations: [decl()] }], toolConfig: { functionCallingConfig: { mode: 'AUTO', allowedFunctionNames: ['get_weather'] } } }), /allowed_function_names/],
      ...['$ref', 'additionalProperties', 'oneOf', '$schema'].map((key) => [
        `${key} in parameters`,
        base({ tools: [{ functionDeclarations: [decl('get_weather', { type: 'OBJECT', properties: { city: { type: 'STRING' } }, [key]: key === 'oneOf' ? [] : key === 'additionalProperties' ? false : '#/x' })] }] }),
        new RegExp(`Unknown name "\\${key.startsWith('$') ? key : key}" at 'tools\\[0\\]\\.function_declarations\\[0\\]\\.parameters': Cannot find field\\.`),
      ]),
      [
        'additionalProperties nested in a property',
        base({ tools: [{ functionDeclarations: [decl('f', { type: 'OBJECT', properties: { p: { type: 'OBJECT', additionalProperties: false } } })] }] }),
        /Unknown name "additionalProperties" at 'tools\[0\]\.function_declarations\[0\]\.parameters\.properties\[p\]\.value'/,
      ],
      ['a type array in parameters', base({ tools: [{ functionDeclarations: [decl('f', { type: ['string', 'null'] })] }] }), /Unknown name "type".*cannot start list/],
      ['additionalProperties in responseSchema', base({ generationConfig: { responseMimeType: 'application/json', responseSchema: { type: 'OBJECT', additionalProperties: false } } }), /Unknown name "additionalProperties" at 'generation_config\.response_schema'/],
      ['responseSchema without a JSON mime type', base({ generationConfig: { responseSchema: { type: 'OBJECT' } } }), /response_mime_type/],
      ['six stop sequences', base({ generationConfig: { stopSequences: ['a', 'b', 'c', 'd', 'e', 'f'] } }), /stop_sequences/],
      ['an unknown top-level field', base({ messages: [] }), /^Invalid JSON payload received\. Unknown name "messages": Cannot find field\.$/],
      ['an OpenAI-style field in generationConfig', base({ generationConfig: { max_tokens: 10 } }), /Unknown name "max_tokens" at 'generation_config'/],
      ['an unknown response mime type', base({ generationConfig: { responseMimeType: 'text/json' } }), /allowed mimetypes/],
      ['temperature above 2', base({ generationConfig: { temperature: 2.5 } }), /temperature/],
    ];
    for (const [name, body, message] of cases) {
      it(`rejects ${name}`, async () => {
        const res = await post(body);
        const json = await readJSON(res);
        assert.equal(res.status, 400, JSON.stringify(json));
        assert.equal(json.error.code, 400);
        assert.equal(json.error.status, 'INVALID_ARGUMENT');
        assert.match(json.error.message, message);
      });
    }

    const accepted = [
      ['$ref and additionalProperties in parametersJsonSchema', base({ tools: [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: { type: 'object', additionalProperties: false, $defs: {}, properties: { a: { $ref: '#/$defs/x' } } } }] }] })],
      ['additionalProperties in responseJsonSchema', base({ generationConfig: { responseMimeType: 'application/json', responseJsonSchema: { type: 'object', additionalProperties: false } } })],
      ['lower-case schema types', base({ tools: [{ functionDeclarations: [decl('f', { type: 'object', properties: { city: { type: 'string' } } })] }] })],
      ['snake_case field names (proto3 JSON)', { contents: [{ role: 'user', parts: [{ inline_data: { mime_type: 'image/png', data: TINY_PNG_BASE64 } }, { text: 'x' }] }], system_instruction: { parts: [{ text: 'Be terse' }] }, generation_config: { max_output_tokens: 10 } }],
      ['dotted and colon function names', base({ tools: [{ functionDeclarations: [decl('ns.get:weather-v2')] }] })],
      ['a function response wrapping a string', history(user('Hi'), { role: 'model', parts: [call()] }, { role: 'user', parts: [response('get_weather', { output: '21C' })] })],
      ['consecutive user turns', { contents: [user('Hi'), user('again')] }],
      ['candidateCount 2', base({ generationConfig: { candidateCount: 2 } })],
    ];
    for (const [name, body] of accepted) {
      it(`accepts ${name}`, async () => {
        const res = await post(body);
        assert.equal(res.status, 200, await res.text());
      });
    }

    it('quotes a wrapped string function response as the string itself', async () => {
      const body = await readJSON(await post(history(user('Hi'), { role: 'model', parts: [call()] }, { role: 'user', parts: [response('get_weather', { output: '21C' })] })));
      assert.equal(body.candidates[0].content.parts[0].text, 'Tool said: 21C');
    });

    it('unknown models are a 404 NOT_FOUND', async () => {
      const res = await post(base(), { model: 'gpt-4o' });
      assert.equal(res.status, 404);
      assert.equal((await readJSON(res)).error.status, 'NOT_FOUND');
    });
  });

  describe('behaviours', () => {
    it('a scripted 429 is RESOURCE_EXHAUSTED with RetryInfo (ApiError 429)', async () => {
      mock.script([{ kind: 'status', status: 429 }]);
      const err = await ai.models.generateContent({ model: MODEL, contents: 'hi' }).catch((e) => e);
      assert.ok(err instanceof ApiError && err.status === 429, String(err));
      assert.match(err.message, /RESOURCE_EXHAUSTED.*retryDelay/);
    });

    it('error_midstream sends a data: {"error":{"code":503,…}} frame the SDK throws on', async () => {
      mock.script([{ kind: 'error_midstream', after_chunks: 2 }]);
      const texts = [];
      const err = await (async () => {
        for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents: 'Say hello' })) texts.push(chunk.candidates[0].content.parts[0].text);
      })().catch((e) => e);
      assert.deepEqual(texts, ['Hello ', 'from ']);
      assert.ok(err instanceof ApiError && err.status === 503, String(err));
    });

    it('truncate drops the socket in the middle of a chunk', async () => {
      mock.script([{ kind: 'truncate', after_chunks: 1 }]);
      const res = await post(base(), { method: 'streamGenerateContent', query: '?alt=sse' });
      const text = await res.text().catch(() => 'aborted');
      assert.ok(!text.endsWith('\r\n\r\n') || text === 'aborted', 'the stream must end in the middle of a frame');
    });
  });
});
