// Runs the Portkey AI gateway (@portkey-ai/gateway, pinned in package.json) on 127.0.0.1 only.
//
//   node bench/peers/portkey-server.mjs PORT
//
// Portkey's node entry point (build/start-server.js) is a bundle that builds its Hono app
// and calls @hono/node-server's serve({fetch, port}) without a hostname, i.e. on every
// interface, and exports nothing, so the app cannot be imported and served separately.
// Instead this wrapper makes every listen() in this process that names no host bind
// 127.0.0.1 (or $PORTKEY_HOST), then runs the unmodified entry point with `--port=PORT
// --headless` (headless: no web UI and no /log/stream route).
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node portkey-server.mjs PORT');
  process.exit(2);
}
const host = process.env.PORTKEY_HOST || '127.0.0.1';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const [first, second] = args;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    // listen(port, undefined, cb) as @hono/node-server calls it, or listen(port, cb).
    if (second === undefined || second === null) args[1] = host;
    else if (typeof second === 'function') args.splice(1, 0, host);
  } else if (first && typeof first === 'object' && !first._handle && first.path === undefined && !first.host) {
    args[0] = { ...first, host };
  }
  return listen.apply(this, args);
};

process.argv = [process.argv[0], 'start-server.js', `--port=${port}`, '--headless'];
const here = path.dirname(fileURLToPath(import.meta.url));
await import(pathToFileURL(path.join(here, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js')).href);
