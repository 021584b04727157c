// `switchyard --check-config FILE`: validates without serving; errors name FILE:LINE.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { runSwitchyard, writeTempFile } from '../support/gateway.mjs';

const UNSET_VAR = 'SWITCHYARD_TEST_SURELY_UNSET_VARIABLE';

/** Runs --check-config on `yaml`; returns the run and the config's path. */
async function checkConfig(yaml, env = {}) {
  const file = writeTempFile(yaml);
  const run = await runSwitchyard(['--check-config', file], env);
  return { ...run, file };
}

/** The 1-based line of the first line containing `needle`. */
function lineOf(text, needle) {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `${needle} is not in the config`);
  return index + 1;
}

/** Asserts exit code 1 and a `FILE:LINE:` diagnostic on stderr mentioning every `mentions`. */
function assertRejectedAt(run, line, mentions = []) {
  assert.equal(run.code, 1, `exit code ${run.code}; stderr:\n${run.stderr}`);
  const location = `${run.file}:${line}:`;
  const diagnostic = run.stderr.split('\n').find((l) => l.includes(location));
  assert.ok(diagnostic, `stderr has no "${location}" diagnostic:\n${run.stderr}`);
  for (const word of mentions) {
    assert.ok(run.stderr.includes(word), `stderr does not mention ${word}:\n${run.stderr}`);
  }
}

// A valid config, written out in full so that each test can break exactly one line of it.
const VALID = `server:
  listen: 127.0.0.1:0
  max_body_size: 1MiB
auth:
  master_key: sk-gw-master
timeouts:
  connect: 2s
  first_byte: 2s
  total: 30s
providers:
  up:
    type: openai
    base_url: http://127.0.0.1:9/v1
    api_key: sk-upstream-test
models:
  fast:
    deployments:
      - provider: up
        model: gpt-4o-mini
`;

describe('--check-config', () => {
  it('accepts a valid file with exit code 0', async () => {
    const run = await checkConfig(VALID);
    assert.equal(run.code, 0, `stderr:\n${run.stderr}`);
  });

  it('accepts ${VAR} references to variables that are set', async () => {
    const run = await checkConfig(VALID.replace('api_key: sk-upstream-test', 'api_key: ${SWITCHYARD_TEST_KEY}'), {
      SWITCHYARD_TEST_KEY: 'sk-from-env',
    });
    assert.equal(run.code, 0, `stderr:\n${run.stderr}`);
  });

  it('rejects an unknown key with FILE:LINE: and the key name', async () => {
    const yaml = VALID.replace('    base_url:', '    bse_url:');
    const run = await checkConfig(yaml);
    assertRejectedAt(run, lineOf(yaml, 'bse_url:'), ['bse_url']);
  });

  it('rejects a deployment naming a missing provider with its line', async () => {
    const yaml = VALID.replace('- provider: up', '- provider: nope');
    const run = await checkConfig(yaml);
    assertRejectedAt(run, lineOf(yaml, 'provider: nope'), ['nope']);
  });

  it('rejects a base_url that is not a URL with its line', async () => {
    const yaml = VALID.replace('base_url: http://127.0.0.1:9/v1', 'base_url: not a url');
    const run = await checkConfig(yaml);
    assertRejectedAt(run, lineOf(yaml, 'base_url: not a url'), ['base_url']);
  });

  it('rejects a reference to an unset ${VAR}, naming the variable and the line', async () => {
    const yaml = VALID.replace('api_key: sk-upstream-test', `api_key: \${${UNSET_VAR}}`);
    const run = await checkConfig(yaml);
    assertRejectedAt(run, lineOf(yaml, UNSET_VAR), [UNSET_VAR]);
  });
});
