#!/usr/bin/env node
// Writes data/prices.json, the price table the gateway ships, from the public price catalogue
// @pydantic/genai-prices (MIT; its notice is data/prices.LICENSE), pinned in tests/package.json.
// Prices are never typed by hand: to update them, bump the pinned version and run this again.
//
//   node scripts/generate-prices.mjs            writes data/prices.json
//   node scripts/generate-prices.mjs --check    exits 1 if data/prices.json is not what it would write
//
// What is kept, per provider the gateway speaks to (OpenAI, Anthropic, Google Gemini): each
// model's id, its match rule (equals / starts_with / ends_with / contains / regex / or / and,
// as the catalogue writes it), and its token prices in US dollars per million tokens as exact
// decimal strings: input, output, cache_read, cache_write, each with the long-context tiers
// the provider publishes ({start: input tokens, price}). Prices that change on a date keep
// their date. Other prices (audio, images, web searches) are left out: the gateway does not
// meter them.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE = '@pydantic/genai-prices';
// Installed with the test dependencies (scripts/install-deps.sh).
const packageDir = path.join(root, 'tests', 'node_modules', ...PACKAGE.split('/'));
const { version, license } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
const catalogue = await import(path.join(packageDir, 'dist', 'index.js'));

// The catalogue's provider ids, by the name the gateway's provider types use.
const PROVIDERS = { openai: 'openai', anthropic: 'anthropic', gemini: 'google' };
const KINDS = { input: 'input_mtok', output: 'output_mtok', cache_read: 'cache_read_mtok', cache_write: 'cache_write_mtok' };

// A catalogue number as an exact decimal string with at most six fraction digits (what the
// gateway's integer pico-dollars hold exactly), or an error.
function decimal(value, where) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`${where}: not a price: ${value}`);
  let text = String(value);
  if (/e/i.test(text)) text = value.toFixed(12).replace(/0+$/, '').replace(/\.$/, '');
  if (!/^\d+(\.\d{1,6})?$/.test(text)) throw new Error(`${where}: ${text} has more than six decimals`);
  return text;
}

function price(value, where) {
  if (value === undefined) return null;
  if (typeof value === 'number') return { base: decimal(value, where), tiers: [] };
  return {
    base: decimal(value.base, `${where}.base`),
    tiers: (value.tiers ?? []).map((tier, i) => ({ start: tier.start, price: decimal(tier.price, `${where}.tiers[${i}]`) })),
  };
}

function tokenPrices(prices, where) {
  return Object.fromEntries(Object.entries(KINDS).map(([kind, key]) => [kind, price(prices[key], `${where}.${key}`)]));
}

export function generate() {
  const providers = {};
  for (const [name, id] of Object.entries(PROVIDERS)) {
    const provider = catalogue.findProvider({ providerId: id });
    if (!provider) throw new Error(`${PACKAGE} ${version} has no provider ${id}`);
    providers[name] = provider.models.map((model) => {
      const where = `${id}.${model.id}`;
      const entry = { id: model.id, match: model.match };
      if (Array.isArray(model.prices)) {
        entry.prices_by_date = model.prices.map((step, i) => ({
          from: step.constraint?.start_date ?? null,
          ...tokenPrices(step.prices, `${where}[${i}]`),
        }));
      } else {
        entry.prices = tokenPrices(model.prices, where);
      }
      return entry;
    });
  }
  const table = { source: { package: PACKAGE, version, license }, unit: 'USD per million tokens', providers };
  return `${JSON.stringify(table, null, 1)}\n`;
}

const OUT = path.join(root, 'data', 'prices.json');
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const text = generate();
  if (process.argv.includes('--check')) {
    const current = readFileSync(OUT, 'utf8');
    if (current !== text) {
      console.error(`data/prices.json is not what ${PACKAGE} ${version} gives: run node scripts/generate-prices.mjs`);
      process.exit(1);
    }
  } else {
    writeFileSync(OUT, text);
    console.error(`wrote data/prices.json from ${PACKAGE} ${version}`);
  }
}
