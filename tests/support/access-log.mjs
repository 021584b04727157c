// Reading the gateway's access log (stderr, one `... info request key=value ...` line per API
// request) as objects, for tests that check what it says about a request.

import { waitFor } from './http.mjs';

/** The key=value fields of one log line; quoted values are unquoted. */
export function parseLogFields(line) {
  const fields = {};
  for (const [, key, raw] of line.matchAll(/(?:^|\s)([A-Za-z_][\w.]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw.slice(1, -1);
      }
    }
    fields[key] = value;
  }
  return fields;
}

/** Every access-log line so far, parsed (each also keeps its `line`). */
export function accessLog(gateway) {
  return gateway
    .logs()
    .split('\n')
    .filter((line) => /\binfo request\b/.test(line) && line.includes('request_id='))
    .map((line) => ({ ...parseLogFields(line), line }));
}

/** The access-log entry of the request with this id, waiting briefly for it to be written. */
export function accessLogEntry(gateway, requestId, { timeoutMs = 3000 } = {}) {
  return waitFor(() => accessLog(gateway).find((e) => e.request_id === requestId), {
    timeoutMs,
    message: `the access-log line of request ${requestId}`,
  });
}
