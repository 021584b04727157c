// OpenTelemetry traces: a test OTLP/HTTP receiver gets one SERVER span per request with the
// GenAI attributes and a CLIENT span per upstream attempt under it; a client's traceparent is
// continued and each attempt's own context is sent upstream; with the collector down, requests
// are unaffected and only a counter says so; with tracing off, a traceparent is passed on as is.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';

import { startOpenAIMock } from '../mocks/openai-mock.mjs';
import { MASTER_KEY, UPSTREAM_KEY, gatewayConfig } from '../support/config.mjs';
import { startGateway } from '../support/gateway.mjs';
import { chatBody, closedPort, gatewayClient, waitFor } from '../support/http.mjs';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

/** An OTLP/HTTP receiver: every span it was sent, with the headers of the export. */
async function startReceiver() {
  const spans = [];
  const exports = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      exports.push({ path: req.url, headers: req.headers });
      const payload = JSON.parse(body);
      for (const resource of payload.resourceSpans) {
        for (const scope of resource.scopeSpans) spans.push(...scope.spans.map((s) => ({ ...s, resource: resource.resource })));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, spans, exports, close: () => new Promise((r) => server.close(r)) };
}

const attribute = (span, key) => {
  const found = span.attributes.find((a) => a.key === key)?.value;
  return found?.stringValue ?? (found?.intValue !== undefined ? Number(found.intValue) : undefined);
};

const tracing = (endpoint) => `\ntelemetry:\n  otlp:\n    endpoint: ${JSON.stringify(endpoint)}\n    headers: {authorization: "Bearer collector-token"}\n`;

describe('traces', () => {
  let openai;
  let receiver;
  let gateway;
  let client;

  before(async () => {
    openai = await startOpenAIMock({ apiKey: UPSTREAM_KEY });
    receiver = await startReceiver();
    gateway = await startGateway({
      config: gatewayConfig({
        mockUrl: openai.url,
        models: { failover: { cooldown: { failures: 0 }, deployments: [{ provider: 'up', model: 'gpt-4.1' }, { provider: 'up', model: 'gpt-4o' }] } },
      }) + tracing(receiver.url),
    });
    client = gatewayClient(gateway.url, { apiKey: MASTER_KEY });
  });

  after(async () => {
    await gateway?.stop('SIGKILL');
    await openai?.close();
    await receiver?.close();
  });

  it('continues the client\'s trace: a request span under its span, an attempt span per upstream call', async () => {
    openai.script([{ kind: 'status', status: 500 }]);
    const res = await client.chat(chatBody({ model: 'failover' }), { headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });
    assert.equal(res.status, 200);
    const requestId = res.headers.get('x-request-id');
    await res.text();
    const server = await waitFor(() => receiver.spans.find((s) => s.kind === 2 && attribute(s, 'switchyard.request_id') === requestId),
      { timeoutMs: 5000, message: 'the request span' });
    assert.equal(server.traceId, TRACE);
    assert.equal(server.parentSpanId, PARENT);
    assert.match(server.spanId, /^[0-9a-f]{16}$/);
    assert.equal(server.name, 'chat failover');
    assert.equal(attribute(server, 'gen_ai.operation.name'), 'chat');
    assert.equal(attribute(server, 'gen_ai.provider.name'), 'openai');
    assert.equal(attribute(server, 'gen_ai.request.model'), 'failover');
    assert.equal(attribute(server, 'gen_ai.response.model'), 'gpt-4o');
    assert.ok(attribute(server, 'gen_ai.usage.input_tokens') > 0);
    assert.ok(attribute(server, 'gen_ai.usage.output_tokens') > 0);
    assert.equal(attribute(server, 'http.response.status_code'), 200);
    assert.equal(attribute(server, 'switchyard.attempts'), 2);
    assert.ok(BigInt(server.endTimeUnixNano) > BigInt(server.startTimeUnixNano));
    assert.equal(attribute({ attributes: server.resource.attributes }, 'service.name'), 'switchyard');

    const children = await waitFor(() => {
      const found = receiver.spans.filter((s) => s.parentSpanId === server.spanId);
      return found.length === 2 && found;
    }, { message: 'two attempt spans' });
    children.sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));
    assert.deepEqual(children.map((s) => [s.kind, s.traceId, attribute(s, 'switchyard.deployment'), attribute(s, 'http.response.status_code')]),
      [[3, TRACE, 'up/gpt-4.1', 500], [3, TRACE, 'up/gpt-4o', 200]]);
    assert.equal(children[0].status?.code, 2);
    assert.equal(children[1].status, undefined);
    // Each upstream call carried its own attempt span as the parent.
    const sent = openai.requests.slice(-2).map((r) => r.headers.traceparent);
    assert.deepEqual(sent, children.map((s) => `00-${TRACE}-${s.spanId}-01`));
    assert.equal(receiver.exports.at(-1).path, '/v1/traces');
    assert.equal(receiver.exports.at(-1).headers.authorization, 'Bearer collector-token');
  });

  it('a request without a traceparent starts a trace of its own', async () => {
    const res = await client.chat(chatBody());
    const requestId = res.headers.get('x-request-id');
    await res.text();
    const server = await waitFor(() => receiver.spans.find((s) => attribute(s, 'switchyard.request_id') === requestId),
      { timeoutMs: 5000, message: 'the request span' });
    assert.equal(server.parentSpanId, undefined);
    assert.match(server.traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(server.traceId, TRACE);
    assert.ok(openai.requests.at(-1).headers.traceparent.startsWith(`00-${server.traceId}-`));
  });

  it('a client that did not sample is respected: nothing exported, the context still passed on', async () => {
    const before = receiver.spans.length;
    const res = await client.chat(chatBody(), { headers: { traceparent: `00-${TRACE}-${PARENT}-00` } });
    await res.text();
    const sent = openai.requests.at(-1).headers.traceparent;
    assert.match(sent, new RegExp(`^00-${TRACE}-[0-9a-f]{16}-00$`));
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(receiver.spans.length, before);
  });
});

describe('traces with the collector down', () => {
  it('requests are unaffected; the failures are counted', { timeout: 30_000 }, async () => {
    const openai = await startOpenAIMock({ apiKey: UPSTREAM_KEY });
    const gateway = await startGateway({ config: gatewayConfig({ mockUrl: openai.url }) + tracing(`http://127.0.0.1:${await closedPort()}`) });
    try {
      const client = gatewayClient(gateway.url, { apiKey: MASTER_KEY });
      for (let i = 0; i < 20; ++i) {
        const started = performance.now();
        const res = await client.chat(chatBody());
        assert.equal(res.status, 200);
        await res.text();
        assert.ok(performance.now() - started < 1000);
      }
      const failures = await waitFor(async () => {
        const text = await (await client.get('/metrics')).text();
        const value = Number(/^switchyard_otlp_export_failures_total (\d+)$/m.exec(text)?.[1]);
        return value > 0 && text;
      }, { timeoutMs: 10_000, intervalMs: 200, message: 'a counted export failure' });
      assert.match(failures, /^switchyard_otlp_spans_exported_total 0$/m);
    } finally {
      await gateway.stop('SIGKILL');
      await openai.close();
    }
  });
});

describe('tracing off', () => {
  it('a client\'s traceparent is passed upstream as it came', async () => {
    const openai = await startOpenAIMock({ apiKey: UPSTREAM_KEY });
    const gateway = await startGateway({ config: gatewayConfig({ mockUrl: openai.url }) });
    try {
      const client = gatewayClient(gateway.url, { apiKey: MASTER_KEY });
      const traceparent = `00-${TRACE}-${PARENT}-01`;
      await (await client.chat(chatBody(), { headers: { traceparent } })).text();
      assert.equal(openai.requests.at(-1).headers.traceparent, traceparent);
      await (await client.chat(chatBody(), { headers: { traceparent: 'garbage' } })).text();
      assert.equal(openai.requests.at(-1).headers.traceparent, undefined);
    } finally {
      await gateway.stop('SIGKILL');
      await openai.close();
    }
  });
});
