// The README promises that everything in it is true: this runs its examples. Each curl
// command, the SDK program and the configuration file are taken from README.md as written,
// with only the port swapped for the test gateway's.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { REPO_ROOT, runSwitchyard, startGateway, writeTempFile } from '../support/gateway.mjs';

const run = promisify(execFile);
const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

/** The fenced code blocks of README.md in order, as { lang, code }. */
function codeBlocks() {
  return [...README.matchAll(/^```(\w+)\n([\s\S]*?)^```/gm)].map(([, lang, code]) => ({ lang, code }));
}

/** The bash blocks that talk to a running gateway. */
const curlBlocks = () => codeBlocks().filter((b) => b.lang === 'bash' && b.code.includes('curl'));

describe('README examples', () => {
  let gateway;
  const pointAtGateway = (text) => text.replaceAll('127.0.0.1:4000', `127.0.0.1:${gateway.port}`);

  before(async () => {
    gateway = await startGateway({ config: null, args: ['--listen', '127.0.0.1:0'] });
  });
  after(() => gateway?.stop());

  it('has the curl tour, the SDK program and a configuration file', () => {
    assert.equal(curlBlocks().length, 3);
    assert.equal(codeBlocks().filter((b) => b.lang === 'js').length, 1);
    assert.equal(codeBlocks().filter((b) => b.lang === 'yaml').length, 1);
  });

  it('the curl tour answers health, models and a completion from the mock', async () => {
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', pointAtGateway(curlBlocks()[0].code)]);
    assert.match(stdout, /\{"status":"ok"\}/);
    assert.match(stdout, /"object":"list".*"id":"mock"/);
    assert.match(stdout, /"content":"Mock reply to: Hello there"/);
  });

  it('the streaming curl example ends with usage and [DONE]', async () => {
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', pointAtGateway(curlBlocks()[1].code)]);
    const events = stdout.split('\n\n').filter(Boolean);
    assert.equal(events.at(-1).trim(), 'data: [DONE]');
    const usage = JSON.parse(events.at(-2).slice('data: '.length));
    assert.deepEqual(usage.choices, []);
    assert.ok(usage.usage.total_tokens > 0);
  });

  it('the "see what it costs" example shows the tour\'s requests in the ledger and the metrics', async () => {
    // After the tour: its two completions reach the ledger within the writer's flush interval.
    // curl adds no newline: the JSON runs straight into the CSV's header.
    let stdout = '';
    let mock = null;
    for (let tries = 0; tries < 40 && !(mock?.requests >= 2); ++tries) {
      if (tries) await new Promise((r) => setTimeout(r, 100));
      ({ stdout } = await run('bash', ['-euo', 'pipefail', '-c', pointAtGateway(curlBlocks()[2].code)],
        { env: { ...process.env, SWITCHYARD_MASTER_KEY: '' } }));
      mock = JSON.parse(stdout.slice(0, stdout.indexOf('request_id,started_at,'))).data.find((g) => g.model === 'mock');
    }
    assert.ok(mock?.requests >= 2 && mock.output_tokens > 0, stdout);
    assert.equal(mock.cost_usd, '0.000000000000');  // the built-in mock is free, a known price
    assert.match(stdout, /request_id,started_at,key_id,.*\r\n[0-9a-f]{32},/);
    assert.match(stdout, /^switchyard_cost_usd_total\{model="mock",provider="mock"\} 0\.000000000000$/m);
  });

  it('the SDK program prints the reply, the streamed text and usage', async () => {
    const program = codeBlocks().find((b) => b.lang === 'js').code;
    // Inside tests/ so that `import 'openai'` resolves to the pinned SDK.
    const file = path.join(REPO_ROOT, 'tests', `.readme-example-${process.pid}.mjs`);
    writeFileSync(file, pointAtGateway(program));
    try {
      const { stdout } = await run(process.execPath, [file], { timeout: 20_000 });
      assert.match(stdout, /^Mock reply to: Hello there\n/);
      assert.match(stdout, /Mock reply to: Stream to me\nusage: \{/);
      assert.match(stdout, /total_tokens: \d+/);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('the configuration file passes --check-config', async () => {
    const file = writeTempFile(codeBlocks().find((b) => b.lang === 'yaml').code);
    const result = await runSwitchyard(['--check-config', file], {
      SWITCHYARD_MASTER_KEY: 'sk-readme-master',
      OPENAI_API_KEY: 'sk-readme-openai',
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /OK \(providers: 2, model aliases: 1\)/);
  });

  it('the same file without its environment variables names what is missing, with lines', async () => {
    const file = writeTempFile(codeBlocks().find((b) => b.lang === 'yaml').code);
    const result = await runSwitchyard(['--check-config', file]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`${file}:2: environment variable SWITCHYARD_MASTER_KEY is not set`));
    assert.match(result.stderr, new RegExp(`${file}:4: environment variable OPENAI_API_KEY is not set`));
  });
});
