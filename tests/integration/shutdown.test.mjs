// Graceful shutdown on SIGTERM: in-flight streams finish, the listener closes, the exit code is 0.

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';

import { startOpenAIMock } from '../mocks/openai-mock.mjs';
import { gatewayConfig } from '../support/config.mjs';
import { startGateway } from '../support/gateway.mjs';
import { DONE, chatBody, gatewayClient, parseSSE, probeConnect, streamedContent, waitFor } from '../support/http.mjs';

const INTERVAL_MS = 200;
const USER_TEXT = 'one two three four five'; // the answer has 8 words: ~2 s of stream at 200 ms a frame

let mock;
before(async () => {
  mock = await startOpenAIMock();
});
after(() => mock?.close());

const startTestGateway = () => startGateway({ config: gatewayConfig({ mockUrl: mock.url }) });

describe('SIGTERM during a streaming request', () => {
  let gateway;
  const outcome = {};

  // One shutdown scenario; the tests below each check one of its outcomes.
  before(async () => {
    gateway = await startTestGateway();
    const client = gatewayClient(gateway.url, { apiKey: 'sk-gw-master' });
    mock.script([{ kind: 'slow_stream', interval_ms: INTERVAL_MS }]);
    const res = await client.chat(chatBody({ stream: true, messages: [{ role: 'user', content: USER_TEXT }] }), {
      timeoutMs: 15_000,
    });
    outcome.status = res.status;

    // Wait for the first complete frame, so the request is surely in flight, then SIGTERM.
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('\n\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const signalledAt = Date.now();
    gateway.proc.kill('SIGTERM');

    const refused = waitFor(async () => (await probeConnect(gateway.port)) === 'refused', {
      timeoutMs: 1500,
      intervalMs: 20,
      message: 'new connections to be refused',
    }).then(
      () => Date.now(),
      () => null,
    );
    const rest = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += value;
      }
    })();
    outcome.streamError = await rest.then(() => null, (err) => err);
    outcome.streamEndedAt = Date.now();
    outcome.text = text;
    outcome.refusedAt = await refused;
    outcome.signalledAt = signalledAt;
    outcome.exit = await gateway.waitForExit(12_000).catch((err) => err);
  });
  after(() => gateway?.stop('SIGKILL'));

  it('completes the in-flight stream up to data: [DONE]', () => {
    assert.equal(outcome.status, 200);
    assert.equal(outcome.streamError, null, `the stream broke: ${outcome.streamError}`);
    const { frames, trailing } = parseSSE(outcome.text);
    const events = frames.map((f) => f.json);
    assert.equal(trailing, '');
    assert.equal(events.at(-1), DONE);
    assert.equal(streamedContent(events), `Hello from mock: ${USER_TEXT}`);
  });

  it('refuses new connections while the stream is still draining', () => {
    assert.ok(outcome.refusedAt, 'new connections were still accepted 1.5 s after SIGTERM');
    assert.ok(
      outcome.refusedAt <= outcome.streamEndedAt,
      `connections were refused only ${outcome.refusedAt - outcome.streamEndedAt} ms after the stream ended`,
    );
  });

  it('exits with code 0 once the stream is done', () => {
    assert.equal(outcome.exit, 0, `exit: ${outcome.exit}\n${gateway.logs()}`);
  });
});

describe('SIGTERM on an idle gateway', () => {
  let gateway;
  afterEach(() => gateway?.stop('SIGKILL'));

  it('exits 0 within 2 s, even with an idle keep-alive connection open', async () => {
    gateway = await startTestGateway();
    // fetch keeps this connection open in its pool: an idle connection must not delay shutdown.
    const res = await fetch(`${gateway.url}/healthz`);
    await res.arrayBuffer();
    assert.equal(res.status, 200);

    const started = Date.now();
    const code = await gateway.stop('SIGTERM');
    const elapsed = Date.now() - started;
    assert.equal(code, 0, gateway.logs());
    assert.ok(elapsed < 2000, `shutdown took ${elapsed} ms`);
  });
});
