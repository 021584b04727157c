// Embeddings both ways: the OpenAI SDK (embeddings.create, default base64 and encoding_format
// 'float') and @google/genai (models.embedContent, which always POSTs :batchEmbedContents) against an
// OpenAI provider and a Gemini provider, through the gateway. Both mocks answer the same
// deterministic vectors (mock-answers.mjs mockEmbedding), so every pair can check the exact values.

import { after, before, describe, it } from 'node:test';

import { ADAPTERS } from './clients.mjs';
import { EMBEDDING_CELLS as CELLS } from './embedding-cells.mjs';
import { MASTER_KEY, PROVIDERS, startGateways, startMocks } from './env.mjs';
import { Matrix } from './matrix.mjs';

const EMBEDDING_PROVIDERS = [
  { ...PROVIDERS.find((p) => p.type === 'openai'), embedAlias: 'e-openai', embedModel: 'text-embedding-3-small' },
  { ...PROVIDERS.find((p) => p.type === 'gemini'), embedAlias: 'e-gemini', embedModel: 'gemini-embedding-001' },
];

const column = (client, provider) => `${ADAPTERS[client].label}→${provider.type}`;
const matrix = new Matrix(
  'Embeddings: client SDK → provider type',
  [...new Set(CELLS.map((c) => `${ADAPTERS[c.client].label}: ${c.name}`))],
  ['openai', 'gemini'].flatMap((client) => EMBEDDING_PROVIDERS.map((p) => column(client, p))),
);
const env = { mocks: null, gateways: null, startError: null };

before(async () => {
  try {
    env.mocks = await startMocks(EMBEDDING_PROVIDERS.map((p) => p.type));
    env.gateways = await startGateways(env.mocks, {
      providers: EMBEDDING_PROVIDERS,
      extraModels: EMBEDDING_PROVIDERS.map((p) => ({ alias: p.embedAlias, provider: p.type, model: p.embedModel })),
    });
    for (const note of env.gateways.notes) matrix.note(note);
  } catch (err) {
    env.startError = err;
    matrix.note(`The environment did not start: ${err.message}`);
  }
});

after(async () => {
  try {
    matrix.publish();
  } finally {
    await env.gateways?.stop();
    await Promise.all(Object.values(env.mocks ?? {}).map((m) => m.close()));
  }
});

for (const cell of CELLS) {
  for (const clientName of ['openai', 'gemini']) {
    if (clientName !== cell.client) for (const p of EMBEDDING_PROVIDERS) matrix.na(`${ADAPTERS[cell.client].label}: ${cell.name}`, column(clientName, p));
  }
}

for (const clientName of ['openai', 'gemini']) {
  const adapter = ADAPTERS[clientName];
  describe(`${adapter.label} SDK embeddings`, () => {
    for (const provider of EMBEDDING_PROVIDERS) {
      describe(`→ ${provider.type}`, () => {
        for (const cell of CELLS.filter((c) => c.client === clientName)) {
          const row = `${adapter.label}: ${cell.name}`;
          it(cell.name, { timeout: 15_000 }, async () => {
            try {
              if (env.startError) throw env.startError;
              const gateway = env.gateways.gatewayFor(provider.type);
              for (const mock of Object.values(env.mocks)) mock.reset();
              await cell.run(adapter.create(gateway.url, MASTER_KEY), provider.embedAlias);
              matrix.set(row, column(clientName, provider), true);
            } catch (err) {
              matrix.set(row, column(clientName, provider), false, err);
              throw err;
            }
          });
        }
      });
    }
  });
}
