// An upstream that accepts every request, answers `200` with event-stream headers at once and
// then sends no body byte: a stream that never produces its first token. It speaks no dialect
// in particular, so it can stand in for an openai, anthropic or gemini provider (point the
// provider's base_url at `url` plus the path prefix that type expects).
//
//   const stall = await startStallingUpstream();
//   // providers: { stuck: { type: 'openai', base_url: `${stall.url}/v1` } }
//   stall.requests   // [{ method, path, headers, body }]
//   await stall.close();
//
// The response stays open until the client goes away or close() is called.

import http from 'node:http';

import { lowerCaseHeaders, readBody } from '../mocks/mock-answers.mjs';

export async function startStallingUpstream() {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    res.on('error', () => {});
    readBody(req).then(
      (body) => {
        requests.push({ method: req.method, path: req.url, headers: lowerCaseHeaders(req.headers), body });
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
        res.flushHeaders(); // headers now, body never
      },
      () => res.destroy(),
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  let closed;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close() {
      closed ??= new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}
