// The official OpenAI SDK as a client, and the happy-path scenarios every OpenAI-compatible
// endpoint under test must pass (the gateway, its embedded mock, and the test mock itself).

import assert from 'node:assert/strict';
import { it } from 'node:test';
import OpenAI from 'openai';

/** An SDK client that never retries, so each call maps to exactly one HTTP request. */
export const sdkClient = (baseURL, apiKey) => new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 10_000 });

/** Awaits `promise`, expects it to reject with `ErrorClass` and `status`; returns the error. */
export async function expectSDKError(promise, ErrorClass, status) {
  const err = await promise.then(
    () => null,
    (e) => e,
  );
  assert.ok(err, `expected ${ErrorClass.name}, but the call succeeded`);
  assert.ok(err instanceof ErrorClass, `expected ${ErrorClass.name}, got ${err?.constructor?.name}: ${err?.message}`);
  if (status !== undefined) assert.equal(err.status, status);
  return err;
}

/** Every chunk of an async-iterable stream. */
export async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const contentOf = (chunks) => chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');

/**
 * Registers the SDK happy-path tests against one endpoint.
 *   client():        the OpenAI client to use (called when the test runs)
 *   model:           the model to ask for
 *   expectedContent: the exact answer to 'Say hello', or undefined to accept any non-empty text
 *   expectedUsage:   the exact usage totals, or undefined to check only their consistency
 *   listedModels:    ids models.list() must include
 */
export function itServesChatThroughTheSDK({ client, model, expectedContent, expectedUsage, listedModels }) {
  const messages = [{ role: 'user', content: 'Say hello' }];
  const assertContent = (content) => {
    if (expectedContent !== undefined) assert.equal(content, expectedContent);
    else assert.ok(typeof content === 'string' && content.length > 0, `empty content: ${JSON.stringify(content)}`);
  };
  const assertUsage = (usage) => {
    assert.ok(usage, 'usage is missing');
    assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
    if (expectedUsage) {
      const { prompt_tokens, completion_tokens, total_tokens } = usage;
      assert.deepEqual({ prompt_tokens, completion_tokens, total_tokens }, expectedUsage);
    }
  };

  it('chat.completions.create returns the answer and its usage', async () => {
    const completion = await client().chat.completions.create({ model, messages });
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.choices[0].message.role, 'assistant');
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assertContent(completion.choices[0].message.content);
    assertUsage(completion.usage);
  });

  it('chat.completions.create exposes the x-request-id as _request_id', async () => {
    const completion = await client().chat.completions.create({ model, messages });
    assert.ok(completion._request_id, 'no request id');
  });

  it('chat.completions.stream() helper accumulates the full answer', async () => {
    const stream = client().chat.completions.stream({ model, messages });
    const final = await stream.finalChatCompletion();
    assertContent(final.choices[0].message.content);
    assert.equal(final.choices[0].finish_reason, 'stop');
  });

  it('create({stream: true}) yields chunks that add up to the answer', async () => {
    const chunks = await collect(await client().chat.completions.create({ model, messages, stream: true }));
    assertContent(contentOf(chunks));
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'));
    assert.ok(chunks.every((c) => c.usage == null), 'usage sent without include_usage');
  });

  it('create({stream: true, include_usage}) ends with a chunk carrying the usage', async () => {
    const chunks = await collect(
      await client().chat.completions.create({ model, messages, stream: true, stream_options: { include_usage: true } }),
    );
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, []);
    assertUsage(last.usage);
    assertContent(contentOf(chunks.slice(0, -1)));
  });

  it(`models.list() includes ${listedModels.join(', ')}`, async () => {
    const ids = [];
    for await (const m of client().models.list()) ids.push(m.id);
    for (const id of listedModels) assert.ok(ids.includes(id), `${id} not in ${JSON.stringify(ids)}`);
  });
}
