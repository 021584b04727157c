// Requests the gateway must refuse itself, in OpenAI's error shape, without calling the upstream.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { assertOpenAIError } from '../support/assertions.mjs';
import { MASTER_KEY } from '../support/config.mjs';
import { itKeepsLogsCleanAndComplete, useGatewayWithMock } from '../support/harness.mjs';
import { chatBody, rawExchange, rawStatus, readJSON } from '../support/http.mjs';

const MAX_BODY_SIZE = 1024 * 1024; // server.max_body_size: 1MiB in the standard config

describe('client errors', () => {
  const ctx = useGatewayWithMock();

  /** Sends a chat body, expects `status`, checks the upstream was not called; returns error. */
  async function expectRefused(body, status, expected = {}) {
    const res = await ctx.client.chat(body);
    const json = await readJSON(res);
    assert.equal(res.status, status, JSON.stringify(json));
    const error = assertOpenAIError(json, expected);
    assert.equal(ctx.mock.requests.length, 0, 'the upstream must not be called');
    return error;
  }

  it('answers malformed JSON with 400 invalid_request_error', async () => {
    await expectRefused('{"model":"fast","messages":[', 400, { type: 'invalid_request_error' });
  });

  it('answers a body without model with 400 and param "model"', async () => {
    await expectRefused({ messages: [{ role: 'user', content: 'hi' }] }, 400, {
      type: 'invalid_request_error',
      param: 'model',
    });
  });

  it('answers a body without messages with 400', async () => {
    const res = await ctx.client.chat({ model: 'fast' });
    const json = await readJSON(res);
    assert.equal(res.status, 400, JSON.stringify(json));
    assertOpenAIError(json, { type: 'invalid_request_error' });
  });

  it('answers an unknown model with 404 model_not_found', async () => {
    await expectRefused(chatBody({ model: 'no-such-model' }), 404, { code: 'model_not_found' });
  });

  it('answers an unknown PROVIDER/MODEL provider with 404 model_not_found', async () => {
    await expectRefused(chatBody({ model: 'nosuchprovider/gpt-4o-mini' }), 404, { code: 'model_not_found' });
  });

  it('answers an unknown path with 404 in the OpenAI error shape', async () => {
    const res = await ctx.client.get('/v1/no-such-route');
    assert.equal(res.status, 404);
    assertOpenAIError(await readJSON(res));
  });

  it('answers a body declared larger than server.max_body_size with 413', async () => {
    // Raw socket, headers only: the Content-Length alone says the body is too large, so the
    // gateway can answer at once. (Sending the body too would make the answer race the TCP reset
    // the gateway's close causes while unread body bytes are still queued.)
    const head =
      'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      `Authorization: Bearer ${MASTER_KEY}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${MAX_BODY_SIZE + 64 * 1024}\r\n\r\n`;
    const { received } = await rawExchange(ctx.gateway.port, head, { timeoutMs: 3000 });
    assert.equal(rawStatus(received), 413, `response: ${received.slice(0, 300)}`);
    assert.equal(ctx.mock.requests.length, 0);
  });

  it('answers a body larger than server.max_body_size sent by fetch with 413', async () => {
    const filler = 'a'.repeat(MAX_BODY_SIZE + 64 * 1024);
    const res = await ctx.client.chat(chatBody({ messages: [{ role: 'user', content: filler }] }));
    await res.arrayBuffer();
    assert.equal(res.status, 413);
  });

  it('answers raw garbage with 400 or a closed connection, and keeps serving', async () => {
    const { received, closed } = await rawExchange(ctx.gateway.port, 'GARBAGE\r\n\r\n', { timeoutMs: 3000 });
    if (received) assert.equal(rawStatus(received), 400, `response: ${received.slice(0, 300)}`);
    else assert.ok(closed, 'the gateway neither answered nor closed the connection within 3 s');

    const res = await ctx.client.get('/healthz');
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  });

  itKeepsLogsCleanAndComplete(ctx);
});
