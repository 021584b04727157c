// Health, readiness, the model list and request ids.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { itKeepsLogsCleanAndComplete, useGatewayWithMock } from '../support/harness.mjs';
import { chatBody, readJSON, uniqueId } from '../support/http.mjs';

describe('basics', () => {
  const ctx = useGatewayWithMock({
    config: {
      models: { 'second-alias': { deployments: [{ provider: 'up', model: 'gpt-4.1' }] } },
    },
  });

  it('answers GET /healthz with 200 {"status":"ok"}', async () => {
    const res = await ctx.client.get('/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(await readJSON(res), { status: 'ok' });
  });

  it('answers GET /readyz with 200 {"status":"ready"} while serving', async () => {
    const res = await ctx.client.get('/readyz');
    assert.equal(res.status, 200);
    assert.deepEqual(await readJSON(res), { status: 'ready' });
  });

  it('lists the configured aliases on GET /v1/models in the OpenAI list shape', async () => {
    const res = await ctx.client.get('/v1/models');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = await readJSON(res);
    assert.equal(body.object, 'list');
    assert.ok(Array.isArray(body.data), 'data must be an array');
    const ids = body.data.map((m) => m.id);
    assert.ok(ids.includes('fast'), `models list ${JSON.stringify(ids)} lacks "fast"`);
    assert.ok(ids.includes('second-alias'), `models list ${JSON.stringify(ids)} lacks "second-alias"`);
    for (const model of body.data) {
      assert.equal(model.object, 'model', `model ${model.id} must have object:"model"`);
      assert.equal(typeof model.id, 'string');
    }
  });

  it('puts an x-request-id on every response, successful or not', async () => {
    const responses = [
      await ctx.client.get('/healthz'),
      await ctx.client.get('/v1/models'),
      await ctx.client.chat(chatBody()),
      await ctx.client.get('/v1/no-such-route'),
    ];
    for (const res of responses) {
      await res.arrayBuffer();
      assert.ok(res.headers.get('x-request-id'), `${res.url} (${res.status}) has no x-request-id`);
    }
  });

  it('gives different requests different request ids', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const res = await ctx.client.get('/healthz');
      await res.arrayBuffer();
      ids.push(res.headers.get('x-request-id'));
    }
    assert.equal(new Set(ids).size, ids.length, `ids repeat: ${ids}`);
  });

  it('echoes a client-sent x-request-id unchanged', async () => {
    const id = uniqueId('client-req');
    const res = await ctx.client.chat(chatBody(), { headers: { 'x-request-id': id } });
    await res.arrayBuffer();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-request-id'), id);
  });

  itKeepsLogsCleanAndComplete(ctx);
});
