// Every dialect both ways: each official client SDK (openai, @anthropic-ai/sdk, @google/genai)
// against each provider type (openai, azure-openai, anthropic, gemini) through the gateway, one cell
// per scenario (see cells.mjs). Prints the matrix at the end and writes it to last-matrix.md.
//
// A failing cell never stops the others: every cell is its own test with its own timeout, and the
// matrix is published in `after` whatever happened (also when the gateway could not start).

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { CELLS, lastUpstream } from './cells.mjs';
import { ADAPTERS } from './clients.mjs';
import { MASTER_KEY, PROVIDERS, startGateways, startMocks } from './env.mjs';
import { Matrix } from './matrix.mjs';

const CLIENTS = ['openai', 'openai-responses', 'anthropic', 'gemini'];
const column = (client, provider) => `${ADAPTERS[client].label}→${provider.type}`;

const matrix = new Matrix(
  'Chat: client SDK → provider type',
  CELLS.map((c) => c.name),
  CLIENTS.flatMap((client) => PROVIDERS.map((p) => column(client, p))),
);

const env = { mocks: null, gateways: null, startError: null };

before(async () => {
  try {
    env.mocks = await startMocks();
    env.gateways = await startGateways(env.mocks);
    for (const note of env.gateways.notes) matrix.note(note);
  } catch (err) {
    env.startError = err;
    matrix.note(`The environment did not start: ${err.message}`);
  }
});

after(async () => {
  try {
    if (env.gateways && matrix.counts.passed < matrix.counts.total) {
      const tail = env.gateways.logs().split('\n').filter(Boolean).slice(-40).join('\n');
      if (tail) matrix.note(`<details><summary>Gateway log (last lines)</summary>\n\n\`\`\`\n${tail}\n\`\`\`\n\n</details>`);
    }
    matrix.publish();
  } finally {
    await env.gateways?.stop();
    await Promise.all(Object.values(env.mocks ?? {}).map((m) => m.close()));
  }
});

for (const clientName of CLIENTS) {
  const adapter = ADAPTERS[clientName];
  describe(`${adapter.label} SDK`, () => {
    for (const provider of PROVIDERS) {
      describe(`→ ${provider.type}`, () => {
        for (const cell of CELLS) {
          if (cell.applies?.(clientName, provider.type) === false) {
            matrix.na(cell.name, column(clientName, provider));
            continue;
          }
          it(cell.name, { timeout: 15_000 }, async () => {
            try {
              if (env.startError) throw env.startError;
              const gateway = env.gateways.gatewayFor(provider.type);
              for (const mock of Object.values(env.mocks)) mock.reset();
              const mock = env.mocks[provider.type];
              await cell.run({
                adapter,
                client: adapter.create(gateway.url, MASTER_KEY),
                model: provider.alias,
                providerType: provider.type,
                gatewayUrl: gateway.url,
                masterKey: MASTER_KEY,
                upstreamModel: provider.model,
                priceCatalogue: provider.priceCatalogue,
                mock,
                upstream: () => lastUpstream(provider.type, mock),
              });
              matrix.set(cell.name, column(clientName, provider), true);
            } catch (err) {
              matrix.set(cell.name, column(clientName, provider), false, err);
              throw err;
            }
          });
        }
      });
    }
  });
}

// The support matrix in docs/dialects.md is this run's table; UPDATE_DOCS=1 rewrites it.
const DIALECTS_DOC = new URL('../../docs/dialects.md', import.meta.url);
const DOC_BEGIN = '<!-- conformance-matrix:begin -->';
const DOC_END = '<!-- conformance-matrix:end -->';

it('docs/dialects.md shows the matrix this run produced', () => {
  const doc = readFileSync(DIALECTS_DOC, 'utf8');
  const start = doc.indexOf(DOC_BEGIN);
  const stop = doc.indexOf(DOC_END);
  assert.ok(start >= 0 && stop > start, 'docs/dialects.md lacks the conformance-matrix markers');
  const table = matrix.renderTable().replace(/^## .*\n\n/, '');
  if (process.env.UPDATE_DOCS) {
    writeFileSync(DIALECTS_DOC, `${doc.slice(0, start + DOC_BEGIN.length)}\n${table}\n${doc.slice(stop)}`);
    return;
  }
  assert.equal(
    doc.slice(start + DOC_BEGIN.length, stop).trim(),
    table,
    'docs/dialects.md is out of date: run UPDATE_DOCS=1 node --test --test-concurrency=1 tests/conformance/chat.test.mjs',
  );
});
