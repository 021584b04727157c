// Started without --config, the gateway runs its embedded default: a built-in deterministic
// `mock` model, plus the real providers whose keys are in the environment.
// (--listen 127.0.0.1:0 replaces the default 127.0.0.1:4000 so tests never clash on a port.)

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startGateway } from '../support/gateway.mjs';
import { DONE, gatewayClient, readJSON, readSSE, streamedContent } from '../support/http.mjs';

const LISTEN_ANY_PORT = ['--listen', '127.0.0.1:0'];
const mockChat = (extra = {}) => ({ model: 'mock', messages: [{ role: 'user', content: 'Say hello' }], ...extra });

describe('embedded default config', () => {
  let gateway;
  let client;
  before(async () => {
    gateway = await startGateway({ config: null, args: LISTEN_ANY_PORT });
    client = gatewayClient(gateway.url, { apiKey: 'sk-any-key' });
  });
  after(() => gateway?.stop());

  it('lists the built-in mock model on GET /v1/models', async () => {
    const res = await client.get('/v1/models');
    assert.equal(res.status, 200);
    const body = await readJSON(res);
    assert.equal(body.object, 'list');
    assert.ok(body.data.some((m) => m.id === 'mock' && m.object === 'model'), JSON.stringify(body));
  });

  it('answers a chat completion for model mock', async () => {
    const res = await client.chat(mockChat());
    const body = await readJSON(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.object, 'chat.completion');
    assert.match(body.id, /^chatcmpl-/);
    assert.equal(typeof body.created, 'number');
    assert.equal(body.choices[0].message.role, 'assistant');
    assert.equal(typeof body.choices[0].message.content, 'string');
    assert.ok(body.choices[0].message.content.length > 0);
    assert.equal(body.choices[0].finish_reason, 'stop');
  });

  it('answers the same request with the same text every time', async () => {
    const contents = [];
    for (let i = 0; i < 2; i++) contents.push((await readJSON(await client.chat(mockChat()))).choices[0].message.content);
    assert.equal(contents[0], contents[1]);
  });

  it('streams a chat completion for model mock, ending with data: [DONE]', async () => {
    const res = await client.chat(mockChat({ stream: true }));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const stream = await readSSE(res);
    assert.equal(stream.trailing, '');
    assert.equal(stream.events.at(-1), DONE);
    const chunks = stream.events.slice(0, -1);
    assert.ok(chunks.every((e) => e.object === 'chat.completion.chunk'), stream.text);
    assert.ok(chunks.some((e) => e.choices[0]?.finish_reason === 'stop'), 'no chunk has finish_reason "stop"');
    assert.ok(streamedContent(stream.events).length > 0);
  });

  it('streams the same text it answers without streaming', async () => {
    const plain = (await readJSON(await client.chat(mockChat()))).choices[0].message.content;
    const streamed = streamedContent((await readSSE(await client.chat(mockChat({ stream: true })))).events);
    assert.equal(streamed, plain);
  });
});

describe('embedded default config with OPENAI_API_KEY set', () => {
  let gateway;
  before(async () => {
    gateway = await startGateway({ config: null, args: LISTEN_ANY_PORT, env: { OPENAI_API_KEY: 'sk-x' } });
  });
  // SIGKILL: the request below may still be waiting on an unreachable api.openai.com.
  after(() => gateway?.stop('SIGKILL'));

  it('knows openai/gpt-4o-mini (the upstream may fail, but it is not a 404)', async () => {
    const client = gatewayClient(gateway.url, { apiKey: 'sk-any-key' });
    // There is no network here: expect 502/504 quickly, or give up waiting after 3 s — either
    // way the gateway routed the model instead of rejecting it as unknown.
    const status = await client
      .chat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { timeoutMs: 3000 })
      .then(
        async (res) => {
          await res.arrayBuffer().catch(() => {});
          return res.status;
        },
        (err) => (err.name === 'TimeoutError' ? 'still waiting upstream' : Promise.reject(err)),
      );
    assert.notEqual(status, 404);
  });
});
