// The embeddings cells, shared by the conformance file (through the gateway) and the mock
// self-checks (straight at the mocks). Each cell is for one client SDK: run(client, model).

import assert from 'node:assert/strict';

import { DEFAULT_EMBEDDING_DIMENSIONS, mockEmbedding } from '../mocks/mock-answers.mjs';

/** Asserts vectors equal to the mock's for `texts` (float32 round trips allowed: 1e-6). */
function assertVectors(actual, texts, dims = DEFAULT_EMBEDDING_DIMENSIONS) {
  assert.equal(actual.length, texts.length, `number of embeddings (${JSON.stringify(actual).slice(0, 200)})`);
  texts.forEach((text, i) => {
    const expected = mockEmbedding(text, dims);
    const got = Array.from(actual[i] ?? []);
    assert.equal(got.length, expected.length, `dimensions of embedding ${i}: ${JSON.stringify(got)}`);
    got.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 1e-6, `embedding ${i}[${k}] = ${v}, expected ${expected[k]}`));
  });
}

export const EMBEDDING_CELLS = [
  {
    name: 'one input (SDK default: base64)',
    client: 'openai',
    async run(client, model) {
      const res = await client.embeddings.create({ model, input: 'hello world' });
      assert.equal(res.object, 'list');
      assertVectors(res.data.map((d) => d.embedding), ['hello world']);
      assert.equal(res.data[0].index, 0);
    },
  },
  {
    name: 'two inputs, encoding_format float',
    client: 'openai',
    async run(client, model) {
      const res = await client.embeddings.create({ model, input: ['first text', 'second'], encoding_format: 'float' });
      assert.deepEqual(res.data.map((d) => d.index), [0, 1]);
      assertVectors(res.data.map((d) => d.embedding), ['first text', 'second']);
      assert.ok(res.usage && Number.isInteger(res.usage.prompt_tokens), `usage: ${JSON.stringify(res.usage)}`);
    },
  },
  {
    name: 'dimensions',
    client: 'openai',
    async run(client, model) {
      const res = await client.embeddings.create({ model, input: 'hello world', dimensions: 4, encoding_format: 'float' });
      assertVectors(res.data.map((d) => d.embedding), ['hello world'], 4);
    },
  },
  {
    name: 'one input',
    client: 'gemini',
    async run(client, model) {
      const res = await client.models.embedContent({ model, contents: 'hello world' });
      assertVectors((res.embeddings ?? []).map((e) => e.values), ['hello world']);
    },
  },
  {
    name: 'two inputs',
    client: 'gemini',
    async run(client, model) {
      const res = await client.models.embedContent({ model, contents: ['first text', 'second'] });
      assertVectors((res.embeddings ?? []).map((e) => e.values), ['first text', 'second']);
    },
  },
  {
    name: 'outputDimensionality',
    client: 'gemini',
    async run(client, model) {
      const res = await client.models.embedContent({ model, contents: 'hello world', config: { outputDimensionality: 4 } });
      assertVectors((res.embeddings ?? []).map((e) => e.values), ['hello world'], 4);
    },
  },
];

