// Self-check of the OpenAI mock's Responses API (openai-responses.mjs), without the gateway: the
// state the real API keeps (previous_response_id, item_reference, GET, DELETE, store: false) and
// the refusals that catch a gateway writing chat-completions shapes into a Responses body.
// (The conformance cells with the official SDK run straight at it in openai-mock-dialects.test.mjs.)

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { sdkClient } from '../support/sdk.mjs';
import { startOpenAIMock } from './openai-mock.mjs';

const KEY = 'sk-upstream-test';

describe('openai mock: the Responses API', () => {
  let mock;
  let openai;
  before(async () => {
    mock = await startOpenAIMock({ apiKey: KEY });
    openai = sdkClient(mock.url, KEY);
  });
  beforeEach(() => mock.reset());
  after(() => mock.close());

  const post = (body) =>
    fetch(`${mock.url}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });

  it('continues a stored conversation by previous_response_id', async () => {
    const first = await openai.responses.create({ model: 'gpt-4.1', input: 'My name is Ada' });
    assert.match(first.id, /^resp_/);
    assert.equal(first.store, true);
    const second = await openai.responses.create({ model: 'gpt-4.1', previous_response_id: first.id, input: 'What is my name' });
    assert.equal(second.output_text, 'Hello from mock: What is my name');
    // The whole conversation counts as input: both user texts and the first answer.
    assert.equal(second.usage.input_tokens, 4 + 7 + 4); // both questions and the first answer (7 words)
    const items = await openai.responses.inputItems.list(second.id);
    assert.ok(items.data.length >= 3, JSON.stringify(items.data));
  });

  it('finds an earlier output item by id alone (item_reference)', async () => {
    const tools = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }];
    const first = await openai.responses.create({ model: 'gpt-4.1', input: 'Weather in Paris?', tools });
    const call = first.output.find((i) => i.type === 'function_call');
    assert.ok(call, JSON.stringify(first.output));
    const answer = await openai.responses.create({
      model: 'gpt-4.1',
      tools,
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        { type: 'item_reference', id: call.id },
        { type: 'function_call_output', call_id: call.call_id, output: '{"temp_c":21}' },
      ],
    });
    assert.equal(answer.output_text, 'Tool said: {"temp_c":21}');
    const missing = await post({ model: 'gpt-4.1', input: [{ type: 'item_reference', id: 'fc_nope' }] });
    assert.equal(missing.status, 404);
  });

  it('GET returns a stored response, DELETE forgets it, and store: false keeps nothing', async () => {
    const kept = await openai.responses.create({ model: 'gpt-4.1', input: 'Hi' });
    assert.equal((await openai.responses.retrieve(kept.id)).id, kept.id);
    const deleted = await fetch(`${mock.url}/responses/${kept.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${KEY}` } });
    assert.deepEqual(await deleted.json(), { id: kept.id, object: 'response', deleted: true });
    await assert.rejects(openai.responses.retrieve(kept.id), (err) => err.status === 404);
    const unkept = await openai.responses.create({ model: 'gpt-4.1', input: 'Hi', store: false });
    assert.equal(unkept.store, false);
    await assert.rejects(openai.responses.retrieve(unkept.id), (err) => err.status === 404);
    const continued = await post({ model: 'gpt-4.1', input: 'Again', previous_response_id: unkept.id });
    assert.equal(continued.status, 400);
    assert.equal((await continued.json()).error.param, 'previous_response_id');
  });

  const refusals = [
    ['chat-completions tools', { tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }, 400, 'tools[0].name'],
    ['chat-completions messages', { messages: [{ role: 'user', content: 'hi' }] }, 400, null],
    ['a stop list', { stop: ['END'] }, 400, null],
    ['max_output_tokens below 16', { max_output_tokens: 5 }, 400, 'max_output_tokens'],
    ['an unknown model', { model: 'claude-sonnet-4-5' }, 404, null],
    ['a function output that answers no call', { input: [{ type: 'function_call_output', call_id: 'call_x', output: 'x' }] }, 400, 'input'],
    ['a chat-completions image part', { input: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }] }] }, 400, 'input[0].content[0].type'],
  ];
  for (const [name, change, status, param] of refusals) {
    it(`refuses ${name} with ${status}`, async () => {
      const res = await post({ model: 'gpt-4.1', input: 'hi', ...change });
      assert.equal(res.status, status);
      const { error } = await res.json();
      assert.equal(error.type, 'invalid_request_error');
      assert.equal(error.param, param);
    });
  }
});
