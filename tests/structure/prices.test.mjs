// The price table the gateway ships (data/prices.json) is exactly what the pinned public
// catalogue gives (no price typed by hand), every price is a decimal the gateway's integer
// pico-dollars hold exactly, and the prices the hand-worked golden costs of
// tests/unit/core/money_test.cc use are the table's.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { generate } from '../../scripts/generate-prices.mjs';

const FILE = new URL('../../data/prices.json', import.meta.url);
const table = JSON.parse(readFileSync(FILE, 'utf8'));

describe('the price table', () => {
  it('is what scripts/generate-prices.mjs writes from the pinned catalogue', () => {
    assert.equal(readFileSync(FILE, 'utf8'), generate(), 'run node scripts/generate-prices.mjs');
    assert.equal(table.source.package, '@pydantic/genai-prices');
    assert.equal(table.source.license, 'MIT');
  });

  it('covers the three vendors with every price an exact decimal of at most six places', () => {
    for (const vendor of ['openai', 'anthropic', 'gemini']) assert.ok(table.providers[vendor].length >= 20, vendor);
    let prices = 0;
    for (const models of Object.values(table.providers)) {
      for (const model of models) {
        for (const step of model.prices_by_date ?? [model.prices]) {
          for (const kind of ['input', 'output', 'cache_read', 'cache_write']) {
            const price = step[kind];
            if (price === null) continue;
            for (const value of [price.base, ...price.tiers.map((t) => t.price)]) {
              assert.match(value, /^\d+(\.\d{1,6})?$/, `${model.id} ${kind}`);
              prices++;
            }
          }
        }
      }
    }
    assert.ok(prices > 300, `${prices} prices`);
  });

  // [vendor, model, input, output, cache read, cache write] per million tokens, as money_test.cc uses them.
  const GOLDEN = [
    ['openai', 'gpt-4o', '2.5', '10', '1.25', null],
    ['openai', 'gpt-4o-mini', '0.15', '0.6', '0.075', null],
    ['anthropic', 'claude-sonnet-4-5', '3', '15', '0.3', '3.75'],
    ['anthropic', 'claude-haiku-4-5', '1', '5', '0.1', '1.25'],
    ['gemini', 'gemini-2.5-flash', '0.3', '2.5', '0.03', null],
    ['gemini', 'gemini-2.5-pro', '1.25', '10', '0.125', null],
  ];
  for (const [vendor, id, input, output, cacheRead, cacheWrite] of GOLDEN) {
    it(`has ${id} at the prices the golden costs use`, () => {
      const model = table.providers[vendor].find((m) => m.id === id);
      assert.ok(model, `${id} is not in the table`);
      const base = (kind) => model.prices[kind]?.base ?? null;
      assert.deepEqual([base('input'), base('output'), base('cache_read'), base('cache_write')], [input, output, cacheRead, cacheWrite]);
    });
  }

  it('keeps dated prices in order, o3 at its June 2025 price last', () => {
    const o3 = table.providers.openai.find((m) => m.id === 'o3');
    const latest = o3.prices_by_date.at(-1);
    assert.deepEqual([latest.from, latest.input.base, latest.output.base, latest.cache_read.base], ['2025-06-10', '2', '8', '0.5']);
  });
});
