// The Responses API end to end, beside what the conformance matrix covers: a Responses client
// to a deployment reached with `api: responses` is a passthrough (the body byte for byte but
// for the model, the stream relayed as it came, usage metered from it); state held by the
// upstream (previous_response_id) keeps working through it; what the gateway does not offer is
// refused by name in the Responses error envelope.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';

import { accessLogEntry } from '../support/access-log.mjs';
import { startOpenAIMock } from '../mocks/openai-mock.mjs';
import { MASTER_KEY, UPSTREAM_KEY } from '../support/config.mjs';
import { startGateway } from '../support/gateway.mjs';
import { itKeepsLogsCleanAndComplete, useGatewayWithMock } from '../support/harness.mjs';

describe('the Responses API', () => {
  const ctx = useGatewayWithMock({
    config: (mock) => configFor(mock),
  });

  function configFor(mock) {
    return [
      'server: {listen: "127.0.0.1:0"}',
      `auth: {master_key: ${JSON.stringify(MASTER_KEY)}}`,
      'providers:',
      `  up: {type: openai, base_url: ${JSON.stringify(mock.url)}, api_key: sk-upstream-test}`,
      'models:',
      '  fast: {deployments: [{provider: up, model: gpt-4o-mini}]}',
      '  newest: {deployments: [{provider: up, model: gpt-4.1, api: responses}]}',
      '',
    ].join('\n');
  }

  const post = (body) =>
    ctx.client.request('/v1/responses', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  // The official SDK, its requests recorded like the client's (for the closing access-log check).
  const sdk = () =>
    new OpenAI({
      baseURL: `${ctx.gateway.url}/v1`,
      apiKey: MASTER_KEY,
      maxRetries: 0,
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        ctx.client.seen.push({ id: res.headers.get('x-request-id'), method: init.method, path: new URL(url).pathname, status: res.status });
        return res;
      },
    });

  it('passes a Responses body to an api: responses deployment byte for byte but for the model', async () => {
    // Key order, spacing and a number written unusually: a re-serialising gateway would change them.
    const text = '{"model":"newest",  "input":[{"role":"user","content":"Say hello"}],"temperature":0.50,"metadata":{"z":"1","a":"2"},"store":false}';
    const res = await post(text);
    assert.equal(res.status, 200, await res.clone().text());
    const body = await res.json();
    assert.equal(body.output_text ?? body.output[0].content[0].text, 'Hello from mock: Say hello');
    const [upstream] = ctx.mock.responsesRequests();
    assert.equal(upstream.path, '/v1/responses');
    assert.equal(upstream.body, text.replace('"model":"newest"', '"model":"gpt-4.1"'));
    assert.equal(ctx.mock.chatRequests().length, 0);
    const entry = await accessLogEntry(ctx.gateway, res.headers.get('x-request-id'));
    assert.equal(entry.upstream_model, 'gpt-4.1');
    assert.equal(Number(entry.input_tokens), 2);
    assert.equal(Number(entry.output_tokens), 5);
  });

  it('relays a Responses stream exactly as the upstream sent it, and meters its usage', async () => {
    const res = await post({ model: 'newest', input: 'Say hello', stream: true, store: false });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    const relayed = await res.text();
    const [upstream] = ctx.mock.responsesRequests();
    assert.equal(relayed, upstream.response.body);
    assert.match(relayed, /event: response\.completed/);
    const entry = await accessLogEntry(ctx.gateway, res.headers.get('x-request-id'));
    assert.equal(entry.usage_reported, 'true');
    assert.equal(Number(entry.output_tokens), 5);
  });

  it('continues a conversation the upstream stored, by previous_response_id', async () => {
    const openai = sdk();
    const first = await openai.responses.create({ model: 'newest', input: 'My name is Ada' });
    const second = await openai.responses.create({ model: 'newest', input: 'What is my name', previous_response_id: first.id });
    assert.equal(second.output_text, 'Hello from mock: What is my name');
    // The upstream read the stored conversation: both questions and the first answer count.
    assert.equal(second.usage.input_tokens, 4 + 7 + 4);
    assert.equal(JSON.parse(ctx.mock.responsesRequests().at(-1).body).previous_response_id, first.id);
  });

  it('a chat-completions client reaches the api: responses deployment through translation', async () => {
    const openai = sdk();
    const completion = await openai.chat.completions.create({ model: 'newest', messages: [{ role: 'user', content: 'Say hello' }] });
    assert.equal(completion.choices[0].message.content, 'Hello from mock: Say hello');
    const upstream = JSON.parse(ctx.mock.responsesRequests().at(-1).body);
    assert.equal(upstream.store, false, 'a translated conversation is not stored upstream');
    assert.deepEqual(upstream.input, [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Say hello' }] }]);
  });

  const refusals = [
    ['background responses', { background: true }, 'background'],
    ['conversation objects', { conversation: 'conv_123' }, 'conversation'],
    ['an input that is neither text nor items', { input: 42 }, 'input'],
  ];
  for (const [name, change, param] of refusals) {
    it(`refuses ${name} with a 400 naming them, before any upstream is called`, async () => {
      const res = await post({ model: 'fast', input: 'hi', ...change });
      assert.equal(res.status, 400);
      const { error } = await res.json();
      assert.equal(error.type, 'invalid_request_error');
      assert.equal(error.param, param);
      assert.equal(ctx.mock.requests.length, 0);
    });
  }

  it('refuses a hosted tool it cannot carry to a chat-completions deployment', async () => {
    const res = await post({ model: 'fast', input: 'hi', tools: [{ type: 'web_search' }] });
    assert.equal(res.status, 400);
    assert.match((await res.json()).error.message, /web_search/);
  });

  itKeepsLogsCleanAndComplete(ctx);
});

// Two OpenAI accounts behind one alias, reached through the Responses API: a response lives in
// the account that made it, so a request continuing it must go back there, whatever the
// alias's order says.
describe('the Responses API across provider accounts', () => {
  const ctx = { a: null, b: null, gateway: null };
  before(async () => {
    ctx.a = await startOpenAIMock({ apiKey: UPSTREAM_KEY });
    ctx.b = await startOpenAIMock({ apiKey: UPSTREAM_KEY });
    ctx.gateway = await startGateway({
      config: [
        'server: {listen: "127.0.0.1:0"}',
        `auth: {master_key: ${JSON.stringify(MASTER_KEY)}}`,
        'providers:',
        `  account-a: {type: openai, base_url: ${JSON.stringify(ctx.a.url)}, api_key: ${UPSTREAM_KEY}}`,
        `  account-b: {type: openai, base_url: ${JSON.stringify(ctx.b.url)}, api_key: ${UPSTREAM_KEY}}`,
        'models:',
        '  only-b: {deployments: [{provider: account-b, model: gpt-4.1, api: responses}]}',
        // account-a first: without going back to the response's account, a follow-up lands there.
        '  shared:',
        '    deployments:',
        '      - {provider: account-a, model: gpt-4.1, api: responses, priority: 0}',
        '      - {provider: account-b, model: gpt-4.1, api: responses, priority: 1}',
        '',
      ].join('\n'),
    });
  });
  after(async () => {
    await ctx.gateway?.stop();
    await ctx.a?.close();
    await ctx.b?.close();
  });

  it('a follow-up by previous_response_id goes to the account that holds the response', async () => {
    const openai = new OpenAI({ baseURL: `${ctx.gateway.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });
    const first = await openai.responses.create({ model: 'only-b', input: 'My name is Ada' });
    assert.equal(ctx.b.responsesRequests().length, 1);
    for (const [i, stream] of [false, true, false].entries()) {
      const request = { model: 'shared', input: `Question ${i}`, previous_response_id: first.id };
      const answer = stream ? await openai.responses.stream(request).finalResponse() : await openai.responses.create(request);
      assert.equal(answer.output_text, `Hello from mock: Question ${i}`);
    }
    assert.equal(ctx.a.responsesRequests().length, 0, 'a follow-up went to the account that does not hold the response');
    assert.equal(ctx.b.responsesRequests().length, 4);
    // A new conversation follows the alias's own order.
    await openai.responses.create({ model: 'shared', input: 'Hello' });
    assert.equal(ctx.a.responsesRequests().length, 1);
    // A streamed answer's id is remembered too: continuing it goes back to account-b.
    const streamed = await openai.responses.stream({ model: 'only-b', input: 'Streamed' }).finalResponse();
    await openai.responses.create({ model: 'shared', input: 'After the stream', previous_response_id: streamed.id });
    assert.equal(ctx.b.responsesRequests().length, 6);
    assert.equal(ctx.a.responsesRequests().length, 1);
  });
});
