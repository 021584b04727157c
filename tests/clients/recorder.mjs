// A recording pass-through proxy between a client library and the gateway: every exchange (the
// request the library sent and the gateway's answer, streams included) is kept, so a failing cell
// can show what went over the wire on the client side (the mocks' `requests` show the upstream side).
//
//   const rec = await startRecorder(gateway.url);   // point the library at rec.url instead
//   ... rec.exchanges: [{ method, path, requestHeaders, requestBody, status, responseHeaders, responseBody, error }]
//   rec.describe(rec.exchanges.slice(n))            // a short text of those exchanges, for failure messages
//   await rec.close();

import http from 'node:http';
import { once } from 'node:events';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host']);
const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'api-key', 'x-goog-api-key']);

export async function startRecorder(targetUrl) {
  const target = new URL(targetUrl);
  const exchanges = [];
  const sockets = new Set();

  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const record = {
      method: req.method,
      path: req.url,
      requestHeaders: Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, SECRET_HEADERS.has(k) ? '<redacted>' : v]),
      ),
      requestBody: body.toString('utf8'),
      status: null,
      responseHeaders: {},
      responseBody: '',
      error: null,
    };
    exchanges.push(record);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP_BY_HOP.has(k)));
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...headers, host: target.host } },
      (up) => {
        record.status = up.statusCode;
        record.responseHeaders = up.headers;
        const out = Object.fromEntries(Object.entries(up.headers).filter(([k]) => !HOP_BY_HOP.has(k)));
        res.writeHead(up.statusCode, out);
        up.on('data', (chunk) => {
          record.responseBody += chunk.toString('utf8');
          res.write(chunk);
        });
        up.on('end', () => res.end());
        up.on('error', (err) => {
          record.error = String(err.message);
          res.destroy(err);
        });
      },
    );
    upstream.on('error', (err) => {
      record.error = String(err.message);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`recorder: ${err.message}`);
    });
    upstream.end(body);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  return {
    url: `http://127.0.0.1:${server.address().port}`,
    exchanges,
    reset: () => {
      exchanges.length = 0;
    },
    describe,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

const clip = (text, max) => (text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text);

/** A compact text of some exchanges: method, path, status, request body, response body (clipped). */
export function describe(exchanges, { max = 1500 } = {}) {
  if (exchanges.length === 0) return '(the library sent no request to the gateway)';
  return exchanges
    .map(
      (x, i) =>
        `#${i + 1} ${x.method} ${x.path} → ${x.status ?? 'no answer'}${x.error ? ` (${x.error})` : ''}\n` +
        `  sent: ${clip(x.requestBody, max)}\n  got:  ${clip(x.responseBody, max)}`,
    )
    .join('\n');
}
