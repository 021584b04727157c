// The upstream connection pool: sequential requests to one provider share one keep-alive
// connection (the mock records each request's client port: same port = same connection), and a
// pooled connection the upstream closed while it sat idle is noticed and replaced, without the
// client seeing an error.
//
// The gateway keeps one pool per worker thread and the kernel spreads client connections over
// the threads, so the requests here all travel over ONE client connection (a keep-alive agent
// limited to one socket; fetch would alternate between two connections and so between threads).

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, it } from 'node:test';

import { MASTER_KEY } from '../support/config.mjs';
import { itKeepsLogsCleanAndComplete, useGatewayWithMock } from '../support/harness.mjs';
import { DONE, chatBody, parseSSE, streamedContent } from '../support/http.mjs';

describe('upstream connection pool', () => {
  const ctx = useGatewayWithMock();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  after(() => agent.destroy());
  let clientPort = null; // the local port of the one client connection to the gateway

  /** POST /v1/chat/completions over the agent's connection; resolves { status, text, localPort }. */
  function post(body) {
    const text = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(`${ctx.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
        timeout: 10_000,
      });
      req.once('timeout', () => req.destroy(new Error('no answer within 10 s')));
      req.once('error', reject);
      req.once('response', (res) => {
        const { localPort } = res.socket;
        ctx.client.seen.push({ id: res.headers['x-request-id'], method: 'POST', path: '/v1/chat/completions', status: res.statusCode });
        let received = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          received += chunk;
        });
        res.once('end', () => resolve({ status: res.statusCode, text: received, localPort }));
        res.once('error', reject);
      });
      req.end(text);
    });
  }

  /** One complete chat exchange through the gateway; returns the upstream port it used. */
  async function chat({ stream = false } = {}) {
    const before = ctx.mock.chatRequests().length;
    const res = await post(chatBody({ stream }));
    clientPort ??= res.localPort;
    assert.equal(res.localPort, clientPort, 'the test client must keep using one connection to the gateway');
    assert.equal(res.status, 200, res.text);
    if (stream) {
      const events = parseSSE(res.text).frames.map((f) => f.json);
      assert.equal(events.at(-1), DONE);
      assert.equal(streamedContent(events), 'Hello from mock: Say hello');
    } else {
      assert.equal(JSON.parse(res.text).choices[0].message.content, 'Hello from mock: Say hello');
    }
    const requests = ctx.mock.chatRequests();
    assert.equal(requests.length, before + 1, 'one upstream request per client request');
    const { remotePort } = requests.at(-1);
    assert.ok(Number.isInteger(remotePort) && remotePort > 0, `remotePort ${remotePort}`);
    return remotePort;
  }

  const describePorts = (ports) => `upstream client ports per request: ${ports.join(', ')}`;

  it('sends sequential requests, streaming or not, over one keep-alive connection', async () => {
    const ports = [];
    for (const stream of [false, false, true, false, true, true]) ports.push(await chat({ stream }));
    assert.equal(new Set(ports).size, 1, describePorts(ports));
  });

  it('reconnects when the upstream closed the pooled connection while it was idle', async () => {
    const pooledPort = await chat();
    const closed = ctx.mock.closeIdleConnections();
    assert.ok(closed >= 1, 'the mock must have had an idle keep-alive connection to close');

    const ports = [await chat()];
    assert.notEqual(ports[0], pooledPort, 'the closed connection cannot have carried the request');
    ports.push(await chat({ stream: true }), await chat());
    assert.equal(new Set(ports).size, 1, `the new connection is pooled in turn; ${describePorts(ports)}`);
  });

  it('reconnects for a streaming request too', async () => {
    const pooledPort = await chat({ stream: true });
    assert.ok(ctx.mock.closeIdleConnections() >= 1, 'the mock must have had an idle keep-alive connection to close');

    const port = await chat({ stream: true });
    assert.notEqual(port, pooledPort, 'the closed connection cannot have carried the request');
    assert.equal(await chat({ stream: true }), port, 'the new connection is pooled in turn');
  });

  itKeepsLogsCleanAndComplete(ctx);
});
