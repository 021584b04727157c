// The official OpenAI SDK against the gateway's embedded default config and its built-in
// `mock` model: what a first-time user gets from `switchyard` with no config at all.

import { after, before, describe, it } from 'node:test';
import { NotFoundError } from 'openai';

import { startGateway } from '../support/gateway.mjs';
import { expectSDKError, itServesChatThroughTheSDK, sdkClient } from '../support/sdk.mjs';

describe('OpenAI SDK → gateway embedded default (model "mock")', () => {
  let gateway;
  let openai;
  before(async () => {
    gateway = await startGateway({ config: null, args: ['--listen', '127.0.0.1:0'] });
    openai = sdkClient(`${gateway.url}/v1`, 'sk-any-key');
  });
  after(() => gateway?.stop());

  itServesChatThroughTheSDK({ client: () => openai, model: 'mock', listedModels: ['mock'] });

  it('an unknown model raises NotFoundError (404)', async () => {
    await expectSDKError(
      openai.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }),
      NotFoundError,
      404,
    );
  });
});
