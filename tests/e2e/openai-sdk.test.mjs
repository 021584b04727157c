// The official OpenAI SDK (openai@6.49.0) talking to the gateway, which forwards to the mock.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
} from 'openai';

import { MASTER_KEY } from '../support/config.mjs';
import { useGatewayWithMock } from '../support/harness.mjs';
import { collect, expectSDKError, itServesChatThroughTheSDK, sdkClient } from '../support/sdk.mjs';

describe('OpenAI SDK → gateway → OpenAI mock', () => {
  const ctx = useGatewayWithMock();
  let openai;
  before(() => {
    openai = sdkClient(`${ctx.gateway.url}/v1`, MASTER_KEY);
  });

  const request = { model: 'fast', messages: [{ role: 'user', content: 'Say hello' }] };

  describe('happy path', () => {
    itServesChatThroughTheSDK({
      client: () => openai,
      model: 'fast',
      expectedContent: 'Hello from mock: Say hello',
      expectedUsage: { prompt_tokens: 2, completion_tokens: 5, total_tokens: 7 },
      listedModels: ['fast'],
    });
  });

  describe('errors surface as the SDK error classes', () => {
    it('a wrong key raises AuthenticationError (401)', async () => {
      const wrongKey = sdkClient(`${ctx.gateway.url}/v1`, 'sk-wrong-key');
      await expectSDKError(wrongKey.chat.completions.create(request), AuthenticationError, 401);
    });

    it('an unknown model raises NotFoundError (404) with code model_not_found and a request id', async () => {
      const err = await expectSDKError(
        openai.chat.completions.create({ ...request, model: 'no-such-model' }),
        NotFoundError,
        404,
      );
      assert.equal(err.code, 'model_not_found');
      assert.ok(err.requestID, 'the error carries no x-request-id');
    });

    it('an upstream 400 raises BadRequestError with the upstream param', async () => {
      ctx.mock.script([{ kind: 'status', status: 400 }]);
      const err = await expectSDKError(openai.chat.completions.create(request), BadRequestError, 400);
      assert.equal(err.param, 'messages[0].role');
    });

    it('an upstream 429 raises RateLimitError', async () => {
      ctx.mock.script([{ kind: 'status', status: 429 }]);
      const err = await expectSDKError(openai.chat.completions.create(request), RateLimitError, 429);
      assert.equal(err.code, 'rate_limit_exceeded');
    });

    it('an upstream 500 raises InternalServerError', async () => {
      ctx.mock.script([{ kind: 'status', status: 500 }]);
      await expectSDKError(openai.chat.completions.create(request), InternalServerError, 500);
    });

    it('an error in the middle of a stream makes the iteration throw APIError', async () => {
      ctx.mock.script([{ kind: 'error_midstream', after_chunks: 2 }]);
      const stream = await openai.chat.completions.create({ ...request, stream: true });
      const err = await expectSDKError(collect(stream), APIError);
      assert.equal(err.error?.type, 'server_error');
    });

    it('a truncated upstream stream makes the iteration throw APIError', async () => {
      ctx.mock.script([{ kind: 'truncate', after_chunks: 2 }]);
      const stream = await openai.chat.completions.create({ ...request, stream: true });
      await expectSDKError(collect(stream), APIError);
    });
  });
});
