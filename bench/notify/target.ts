/**
 * The app's notify handler at its barest, for bench/notify: a node:http server on the
 * loopback interface answering 204 at once. It prints `{"url": …}` when it listens.
 * Run by bench/notify/run.ts in a process of its own, so that the load generator does
 * not share its event loop.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(204).end());
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/notify` })}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
