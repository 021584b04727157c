// Client authentication with auth.master_key set.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { assertOpenAIError } from '../support/assertions.mjs';
import { MASTER_KEY, UPSTREAM_KEY } from '../support/config.mjs';
import { itKeepsLogsCleanAndComplete, useGatewayWithMock } from '../support/harness.mjs';
import { chatBody, readJSON } from '../support/http.mjs';

const WRONG_KEY = 'sk-wrong-key-0123456789abcdef';

describe('client authentication', () => {
  const ctx = useGatewayWithMock({ config: { masterKey: MASTER_KEY }, clientKey: null });

  it('rejects a request without a key with 401 in the OpenAI error shape', async () => {
    const res = await ctx.client.chat(chatBody());
    assert.equal(res.status, 401);
    assertOpenAIError(await readJSON(res));
  });

  it('rejects a wrong key with 401 without echoing the key', async () => {
    const res = await ctx.client.chat(chatBody(), { apiKey: WRONG_KEY });
    assert.equal(res.status, 401);
    const text = await res.text();
    assertOpenAIError(JSON.parse(text));
    assert.ok(!text.includes(WRONG_KEY), `the 401 body echoes the key: ${text}`);
  });

  it('does not contact the upstream for an unauthenticated request', async () => {
    await (await ctx.client.chat(chatBody(), { apiKey: WRONG_KEY })).arrayBuffer();
    assert.equal(ctx.mock.requests.length, 0);
  });

  const acceptedHeaders = {
    'Authorization: Bearer': { authorization: `Bearer ${MASTER_KEY}` },
    'x-api-key': { 'x-api-key': MASTER_KEY },
    'x-goog-api-key': { 'x-goog-api-key': MASTER_KEY },
  };
  for (const [name, headers] of Object.entries(acceptedHeaders)) {
    it(`accepts the master key in ${name}`, async () => {
      const res = await ctx.client.chat(chatBody(), { headers });
      const text = await res.text();
      assert.equal(res.status, 200, text);
      assert.equal(JSON.parse(text).object, 'chat.completion');
    });
  }

  it('rejects a wrong key even when sent as x-api-key', async () => {
    const res = await ctx.client.chat(chatBody(), { headers: { 'x-api-key': WRONG_KEY } });
    await res.arrayBuffer();
    assert.equal(res.status, 401);
  });

  it('serves /healthz and /readyz without a key', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await ctx.client.get(path);
      await res.arrayBuffer();
      assert.equal(res.status, 200, path);
    }
  });

  itKeepsLogsCleanAndComplete(ctx, { secrets: [UPSTREAM_KEY, MASTER_KEY, WRONG_KEY] });
});
