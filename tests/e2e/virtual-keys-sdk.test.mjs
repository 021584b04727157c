// Virtual keys through the official SDKs (openai, @anthropic-ai/sdk, @google/genai), as an
// application sees them: a model outside the key's list is the SDK's permission error, the model
// list shows only the key's aliases, a rate-limit 429 is retried by the SDK's own default retry
// and succeeds once capacity returns (the retry-after was right), and a budget 429 is not retried.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';

import { startOpenAIMock } from '../mocks/openai-mock.mjs';
import { gatewayConfig } from '../support/config.mjs';
import { makeTempDir, startGateway } from '../support/gateway.mjs';
import { createKey } from '../support/keys.mjs';

let mock;
let gateway;

before(async () => {
  mock = await startOpenAIMock();
  gateway = await startGateway({
    config: gatewayConfig({
      mockUrl: mock.url,
      models: {
        slow: { deployments: [{ provider: 'up', model: 'gpt-4o' }] },
        priced: { deployments: [{ provider: 'up', model: 'gpt-4o-mini', price: { input: '1', output: '1' } }] },
      },
    }),
    env: { SWITCHYARD_DATA_DIR: makeTempDir() },
  });
});
after(async () => {
  await gateway?.stop();
  await mock?.close();
});

/** A fetch that counts the HTTP requests an SDK makes (its retries included). */
function countingFetch() {
  const counter = { calls: 0 };
  counter.fetch = (url, init) => {
    counter.calls += 1;
    return fetch(url, init);
  };
  return counter;
}

const messagesRequest = (model) => ({ model, max_tokens: 20, messages: [{ role: 'user', content: 'Say hello' }] });
const chatRequest = (model) => ({ model, messages: [{ role: 'user', content: 'Say hello' }] });

/** Uses up a key's requests-per-minute with plain requests. */
async function exhaustRequests(secret, count) {
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(chatRequest('fast')),
    });
    assert.equal(res.status, 200);
    await res.text();
  }
}

describe('a key limited to one alias', () => {
  let secret;
  before(async () => {
    secret = (await createKey(gateway.url, { name: 'sdk-fast-only', models: ['fast'] })).key;
  });

  it('is the OpenAI SDK\'s PermissionDeniedError for another alias, and lists only its own', async () => {
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: secret, maxRetries: 0 });
    const err = await openai.chat.completions.create(chatRequest('slow')).catch((e) => e);
    assert.ok(err instanceof OpenAI.PermissionDeniedError, `${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.status, 403);
    const models = [];
    for await (const model of openai.models.list()) models.push(model.id);
    assert.deepEqual(models, ['fast']);
    assert.equal((await openai.chat.completions.create(chatRequest('fast'))).choices[0].message.content, 'Hello from mock: Say hello');
  });

  it('is the Anthropic SDK\'s PermissionDeniedError, and lists only its own', async () => {
    const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: secret, maxRetries: 0 });
    const err = await anthropic.messages.create(messagesRequest('slow')).catch((e) => e);
    assert.ok(err instanceof Anthropic.PermissionDeniedError, `${err?.constructor?.name}: ${err?.message}`);
    const models = [];
    for await (const model of anthropic.models.list()) models.push(model.id);
    assert.deepEqual(models, ['fast']);
  });

  it('is a 403 ApiError in the Gemini SDK, and lists only its own', async () => {
    const ai = new GoogleGenAI({ apiKey: secret, httpOptions: { baseUrl: gateway.url } });
    const err = await ai.models.generateContent({ model: 'slow', contents: 'Say hello' }).catch((e) => e);
    assert.ok(err instanceof ApiError, `${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.status, 403);
    const models = [];
    for await (const model of await ai.models.list()) models.push(model.name);
    assert.deepEqual(models, ['models/fast']);
  });
});

describe('a rate-limit 429 through the SDKs\' default retries', () => {
  it('succeeds on the OpenAI SDK\'s own retry', async () => {
    // 60 a minute: once they are used, one more fits a second later.
    const { key } = await createKey(gateway.url, { name: 'sdk-openai-rpm', rpm: 60 });
    await exhaustRequests(key, 60);
    const counter = countingFetch();
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, fetch: counter.fetch });
    const answer = await openai.chat.completions.create(chatRequest('fast'));
    assert.equal(answer.choices[0].message.content, 'Hello from mock: Say hello');
    assert.equal(counter.calls, 2, 'one 429, then one retry after retry-after-ms');
  });

  it('succeeds on the Anthropic SDK\'s own retry', async () => {
    const { key } = await createKey(gateway.url, { name: 'sdk-anthropic-rpm', rpm: 60 });
    await exhaustRequests(key, 60);
    const counter = countingFetch();
    const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: key, fetch: counter.fetch });
    const answer = await anthropic.messages.create(messagesRequest('fast'));
    assert.equal(answer.content[0].text, 'Hello from mock: Say hello');
    assert.equal(counter.calls, 2);
  });
});

describe('a budget 429', () => {
  it('is not retried by the OpenAI SDK, and says insufficient_quota', async () => {
    const { key } = await createKey(gateway.url, { name: 'sdk-openai-budget', budget: { usd: '0.000001', period: 'day' } });
    const counter = countingFetch();
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, fetch: counter.fetch });
    const err = await openai.chat.completions.create(chatRequest('priced')).catch((e) => e);
    assert.ok(err instanceof OpenAI.RateLimitError, `${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.code, 'insufficient_quota');
    assert.equal(counter.calls, 1, 'x-should-retry: false');
  });

  it('is not retried by the Anthropic SDK', async () => {
    const { key } = await createKey(gateway.url, { name: 'sdk-anthropic-budget', budget: { usd: '0.000001', period: 'day' } });
    const counter = countingFetch();
    const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: key, fetch: counter.fetch });
    const err = await anthropic.messages.create(messagesRequest('priced')).catch((e) => e);
    assert.ok(err instanceof Anthropic.RateLimitError, `${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.error?.error?.type, 'rate_limit_error');
    assert.equal(counter.calls, 1);
  });
});
