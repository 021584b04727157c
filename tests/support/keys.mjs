// The keys API (/admin/keys, /admin/teams) as an operator's script calls it: one helper that
// sends JSON with a key and returns {status, headers, body}, whatever the status.

import { MASTER_KEY } from './config.mjs';

/** `method` `path` with a JSON body (if any) as `key`; resolves {status, headers, body, text}. */
export async function adminCall(gatewayUrl, method, path, body, { key = MASTER_KEY } = {}) {
  const headers = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(gatewayUrl + path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let parsed = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the caller looks at `text`
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Creates a key (201 expected) and returns its object, with `key` the secret. */
export async function createKey(gatewayUrl, fields) {
  const res = await adminCall(gatewayUrl, 'POST', '/admin/keys', fields);
  if (res.status !== 201) throw new Error(`POST /admin/keys: ${res.status} ${res.text}`);
  return res.body;
}

/** Creates a team (201 expected) and returns its object. */
export async function createTeam(gatewayUrl, fields) {
  const res = await adminCall(gatewayUrl, 'POST', '/admin/teams', fields);
  if (res.status !== 201) throw new Error(`POST /admin/teams: ${res.status} ${res.text}`);
  return res.body;
}
