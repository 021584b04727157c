// Listening beyond loopback requires a master key: an open gateway on the network would spend
// the operator's provider credits for anyone.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import { gatewayConfig } from '../support/config.mjs';
import { startGateway } from '../support/gateway.mjs';

const config = (masterKey) =>
  gatewayConfig({ mockUrl: 'http://127.0.0.1:9/v1', listen: '0.0.0.0:0', masterKey });

describe('non-loopback listen address', () => {
  let gateway;
  afterEach(async () => {
    await gateway?.stop('SIGKILL');
    gateway = undefined;
  });

  it('refuses to start on 0.0.0.0 without auth.master_key, naming master_key', async () => {
    const err = await startGateway({ config: config(null) }).then(
      (started) => {
        gateway = started;
        return null;
      },
      (e) => e,
    );
    assert.ok(err, 'the gateway started on 0.0.0.0 without a master key');
    assert.ok('output' in err, `the gateway did not exit: ${err.message}`);
    assert.ok(Number.isInteger(err.exitCode) && err.exitCode !== 0, `expected a non-zero exit code: ${err.message}`);
    assert.match(err.output, /master_key/, err.output);
  });

  it('starts on 0.0.0.0 when auth.master_key is set', async () => {
    gateway = await startGateway({ config: config('sk-gw-master') });
    const res = await fetch(`${gateway.url}/healthz`);
    await res.arrayBuffer();
    assert.equal(res.status, 200);
  });
});
