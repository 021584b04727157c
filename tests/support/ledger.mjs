// Reading the usage ledger the way an operator does (GET /admin/requests, /admin/usage with the
// master key), and what a row must say, worked out independently of the gateway: token counts
// from the upstream's own answer, and the cost from data/prices.json in integer pico-dollars.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { waitFor } from './http.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TABLE = JSON.parse(readFileSync(path.join(root, 'data', 'prices.json'), 'utf8'));

/** GET an admin path as JSON (or text, for CSV). */
export async function admin(gatewayUrl, masterKey, pathAndQuery, { text = false } = {}) {
  const res = await fetch(gatewayUrl + pathAndQuery, { headers: { authorization: `Bearer ${masterKey}` }, signal: AbortSignal.timeout(10_000) });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${pathAndQuery}: ${res.status} ${body}`);
  return text ? { body, headers: res.headers } : JSON.parse(body);
}

/** Ledger rows, newest first (one page). */
export async function ledgerRows(gatewayUrl, masterKey, query = '') {
  return (await admin(gatewayUrl, masterKey, `/admin/requests?limit=1000${query ? `&${query}` : ''}`)).data;
}

/** Waits until the ledger holds a row `match` accepts (the writer batches every ~100 ms), and returns it. */
export async function waitForLedgerRow(gatewayUrl, masterKey, match, { timeoutMs = 5000, query = '' } = {}) {
  let found;
  await waitFor(async () => {
    found = (await ledgerRows(gatewayUrl, masterKey, query)).find(match);
    return Boolean(found);
  }, { timeoutMs, message: 'a ledger row' });
  return found;
}

/** Waits until the ledger holds `count` rows in all (paging through it). */
export async function waitForLedgerCount(gatewayUrl, masterKey, count, { timeoutMs = 10_000 } = {}) {
  let rows = [];
  await waitFor(async () => {
    rows = await allLedgerRows(gatewayUrl, masterKey);
    return rows.length >= count;
  }, { timeoutMs, intervalMs: 100, message: `${count} ledger rows` });
  return rows;
}

/** Every ledger row, newest first, following the `next` cursors. */
export async function allLedgerRows(gatewayUrl, masterKey, query = '') {
  const rows = [];
  let before = null;
  for (;;) {
    const page = await admin(gatewayUrl, masterKey,
      `/admin/requests?limit=1000${query ? `&${query}` : ''}${before ? `&before=${encodeURIComponent(before)}` : ''}`);
    rows.push(...page.data);
    if (!page.next) return rows;
    before = page.next;
  }
}

/** A price in USD per million tokens ("2.5") as pico-dollars per token (2_500_000n). */
export function picoPerToken(decimal) {
  const [whole, fraction = ''] = decimal.split('.');
  return BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
}

/** The price-table entry with this id in a catalogue (openai, anthropic, gemini), or null. */
export function listedPrices(catalogue, id) {
  const entry = TABLE.providers[catalogue]?.find((model) => model.id === id);
  return entry?.prices ?? null;
}

/**
 * The cost of a usage {input, output, cache_read, cache_write} (input counting the cache reads and
 * writes) under a price-table entry's prices, as the decimal string the ledger shows, or null when
 * there is no price. Tiers: the whole request pays the price of the highest tier its input passed.
 */
export function expectedCost(usage, prices) {
  if (!prices?.input) return null;
  const at = (price) => {
    if (!price) return null;
    let chosen = price.base;
    for (const tier of price.tiers) if (usage.input > tier.start) chosen = tier.price;
    return picoPerToken(chosen);
  };
  const input = at(prices.input);
  const output = at(prices.output) ?? 0n;
  const cacheRead = at(prices.cache_read) ?? input;
  const cacheWrite = at(prices.cache_write) ?? input;
  const uncached = BigInt(usage.input - usage.cache_read - usage.cache_write);
  const pico = uncached * input + BigInt(usage.cache_read) * cacheRead + BigInt(usage.cache_write) * cacheWrite +
    BigInt(usage.output) * output;
  return usd(pico);
}

/** Pico-dollars as the ledger writes dollars: every one of the twelve fraction digits. */
export function usd(pico) {
  const digits = pico.toString().padStart(13, '0');
  return `${digits.slice(0, -12)}.${digits.slice(-12)}`;
}
