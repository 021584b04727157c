// HTTPS upstreams: the gateway verifies the upstream's certificate chain and host name, against
// the provider's ca_file when given (instead of the system store), and answers 502
// upstream_tls_error when verification fails, without sending the request.
//
// The certificates are made at test time (tests/support/tls.mjs): a throwaway CA that no system
// store trusts, a server certificate for IP 127.0.0.1 + DNS localhost, and one for DNS
// other.example only.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { startOpenAIMock } from '../mocks/openai-mock.mjs';
import { assertOpenAIError } from '../support/assertions.mjs';
import { MASTER_KEY, UPSTREAM_KEY, gatewayConfig } from '../support/config.mjs';
import { startGateway } from '../support/gateway.mjs';
import { itKeepsLogsCleanAndComplete } from '../support/harness.mjs';
import { DONE, chatBody, gatewayClient, readJSON, readSSE, streamedContent } from '../support/http.mjs';
import { createTestCA } from '../support/tls.mjs';

describe('HTTPS upstreams', () => {
  // mock: certificate for 127.0.0.1/localhost; otherHostMock: certificate for other.example only.
  const ctx = { mock: null, otherHostMock: null, gateway: null, client: null, ca: null };

  before(async () => {
    ctx.ca = createTestCA();
    const rightCert = ctx.ca.issueServerCert({ altNames: ['IP:127.0.0.1', 'DNS:localhost'] });
    const otherHostCert = ctx.ca.issueServerCert({ altNames: ['DNS:other.example'] });
    ctx.mock = await startOpenAIMock({ apiKey: UPSTREAM_KEY, tls: rightCert });
    ctx.otherHostMock = await startOpenAIMock({ apiKey: UPSTREAM_KEY, tls: otherHostCert });
    assert.match(ctx.mock.url, /^https:\/\/127\.0\.0\.1:\d+\/v1$/);

    const provider = (url, extra = {}) => ({ type: 'openai', base_url: url, api_key: UPSTREAM_KEY, ...extra });
    const yaml = gatewayConfig({
      mockUrl: ctx.mock.url,
      providers: {
        up: provider(ctx.mock.url, { ca_file: ctx.ca.certFile }),
        system_store: provider(ctx.mock.url),
        wrong_host: provider(ctx.otherHostMock.url, { ca_file: ctx.ca.certFile }),
      },
      models: {
        'system-store': { deployments: [{ provider: 'system_store', model: 'gpt-4o-mini' }] },
        'wrong-host': { deployments: [{ provider: 'wrong_host', model: 'gpt-4o-mini' }] },
      },
    });
    ctx.gateway = await startGateway({ config: yaml });
    ctx.client = gatewayClient(ctx.gateway.url, { apiKey: MASTER_KEY });
  });
  beforeEach(() => {
    ctx.mock?.reset();
    ctx.otherHostMock?.reset();
  });
  after(async () => {
    await ctx.gateway?.stop();
    await ctx.mock?.close();
    await ctx.otherHostMock?.close();
  });

  const words = 'one two three';
  const streamBody = (overrides = {}) =>
    chatBody({ stream: true, messages: [{ role: 'user', content: words }], ...overrides });

  /** Asserts a 502 upstream_tls_error in OpenAI error shape (JSON, not SSE, even for a stream). */
  async function assertTLSError(res) {
    const body = await readJSON(res);
    assert.equal(res.status, 502, `expected 502, got ${res.status}: ${JSON.stringify(body)}`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assertOpenAIError(body, { code: 'upstream_tls_error' });
  }

  describe('with ca_file naming the CA that signed the upstream certificate', () => {
    it('relays a non-streaming chat completion', async () => {
      const res = await ctx.client.chat(chatBody());
      const body = await readJSON(res);
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.object, 'chat.completion');
      assert.equal(body.choices[0].message.content, 'Hello from mock: Say hello');

      const [seen, ...more] = ctx.mock.chatRequests();
      assert.equal(more.length, 0, 'exactly one upstream chat request');
      assert.equal(seen.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
      assert.equal(JSON.parse(seen.body).model, 'gpt-4o-mini');
    });

    it('relays a streaming chat completion', async () => {
      const res = await ctx.client.chat(streamBody());
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const stream = await readSSE(res);
      assert.equal(stream.trailing, '');
      assert.equal(stream.events.at(-1), DONE);
      assert.equal(streamedContent(stream.events), `Hello from mock: ${words}`);

      const [seen, ...more] = ctx.mock.chatRequests();
      assert.equal(more.length, 0, 'exactly one upstream chat request');
      assert.equal(JSON.parse(seen.body).stream, true);
    });
  });

  describe('verification failures answer 502 upstream_tls_error and send nothing upstream', () => {
    it('rejects a certificate from a CA the system store does not trust (no ca_file)', async () => {
      await assertTLSError(await ctx.client.chat(chatBody({ model: 'system-store' })));
      assert.equal(ctx.mock.chatRequests().length, 0, 'the upstream must not receive the request');
    });

    it('rejects it for a streaming request too, with a JSON error instead of a stream', async () => {
      await assertTLSError(await ctx.client.chat(streamBody({ model: 'system-store' })));
      assert.equal(ctx.mock.chatRequests().length, 0, 'the upstream must not receive the request');
    });

    it('rejects a trusted certificate that does not name the base_url host', async () => {
      // Signed by the ca_file CA, but only for DNS:other.example, while base_url says 127.0.0.1.
      await assertTLSError(await ctx.client.chat(chatBody({ model: 'wrong-host' })));
      assert.equal(ctx.otherHostMock.chatRequests().length, 0, 'the upstream must not receive the request');
    });

    it('still serves the verified provider afterwards', async () => {
      const res = await ctx.client.chat(chatBody());
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      assert.equal(ctx.mock.chatRequests().length, 1);
    });
  });

  itKeepsLogsCleanAndComplete(ctx);
});
