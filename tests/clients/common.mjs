// Shared bits of the client-library adapters.

import { readFileSync } from 'node:fs';

/** The gateway paths each client dialect may use; every request of a cell must match its client's. */
export const DIALECT_PATHS = {
  'openai-chat': /^\/v1\/chat\/completions(\?|$)/,
  'openai-responses': /^\/v1\/responses(\?|$)/,
  anthropic: /^\/v1\/messages(\?|$)/,
  gemini: /^\/v1beta\/models\/[^/:?]+:(generateContent|streamGenerateContent)(\?|$)/,
};

/** A memoised async loader: the library is imported on first use, so a library that fails to load
 * fails its own cells only. */
export function lazy(load) {
  let promise = null;
  return () => (promise ??= load());
}

/** The installed version of a package (an npm alias resolves to the aliased package's version). */
export function installedVersion(name) {
  const file = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    return { name: pkg.name, version: pkg.version };
  } catch {
    return { name, version: '?' };
  }
}
