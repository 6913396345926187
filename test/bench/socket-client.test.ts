import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { createSocketClient, type SocketClient } from '../../bench/ingest/socket-client.js';

/** A node:http server on a loopback port, closed after the suite. */
async function serve(listener: RequestListener): Promise<{ server: Server; port: number }> {
  const server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { server, port: (server.address() as AddressInfo).port };
}

const get = (client: SocketClient, path: string) => new Promise<number>((resolve) => client.get(path, resolve));

describe('the benchmark socket client', () => {
  it('reads answers with a Content-Length and chunked ones, back to back on one connection', async () => {
    const paths: string[] = [];
    const peers = new Set<number>();
    const { port } = await serve((req, res) => {
      paths.push(req.url ?? '');
      peers.add(req.socket.remotePort ?? 0);
      if (req.url?.startsWith('/chunked')) {
        res.writeHead(201); // no Content-Length: node:http chunks the body
        res.write('first part, ');
        res.end('second part');
      } else {
        const body = req.url === '/empty' ? '' : '{"result":"accepted"}';
        res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-length': Buffer.byteLength(body) });
        res.end(body);
      }
    });
    const client = createSocketClient('127.0.0.1', port, 1);
    try {
      const statuses: number[] = [];
      for (const path of ['/a?sid=1', '/chunked', '/empty', '/missing', '/chunked?again', '/b']) statuses.push(await get(client, path));
      assert.deepEqual(statuses, [200, 201, 200, 404, 201, 200]);
      assert.deepEqual(paths, ['/a?sid=1', '/chunked', '/empty', '/missing', '/chunked?again', '/b']);
      assert.equal(peers.size, 1, 'every request went over the one kept-alive connection');
    } finally {
      client.close();
    }
  });

  it('keeps at most its connections busy and queues the rest in order', async () => {
    let inFlight = 0;
    let most = 0;
    const order: string[] = [];
    const { port } = await serve((req, res) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        order.push(req.url ?? '');
        res.writeHead(200, { 'content-length': 2 });
        res.end('ok');
      }, 5);
    });
    const client = createSocketClient('127.0.0.1', port, 3);
    try {
      const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => get(client, `/r${i}`)));
      assert.deepEqual(statuses, Array(12).fill(200));
      assert.equal(most, 3);
      assert.equal(order.length, 12);
    } finally {
      client.close();
    }
  });

  it('fails a request whose connection closes, with 0, and serves the next on a new connection', async () => {
    let served = 0;
    const { port } = await serve((req, res) => {
      served += 1;
      if (req.url === '/drop') {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-length': 0 });
      res.end();
    });
    const client = createSocketClient('127.0.0.1', port, 1);
    try {
      assert.equal(await get(client, '/drop'), 0);
      assert.equal(await get(client, '/after'), 200);
      assert.equal(served, 2);
    } finally {
      client.close();
    }
  });

  it('when the server is gone, fails each request once and does not reconnect with nothing to send', async () => {
    const { server, port } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': 0 });
      res.end();
    });
    const client = createSocketClient('127.0.0.1', port, 2);
    try {
      assert.equal(await get(client, '/before'), 200);
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
      assert.deepEqual(await Promise.all([get(client, '/a'), get(client, '/b'), get(client, '/c')]), [0, 0, 0]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const sockets = process.getActiveResourcesInfo().filter((resource) => resource === 'TCPSocketWrap');
      assert.deepEqual(sockets, [], 'no connection is being opened again and again');
    } finally {
      client.close();
    }
  });

  it('answers requests still queued with 0 when closed', async () => {
    const { port } = await serve(() => {
      // never answers
    });
    const client = createSocketClient('127.0.0.1', port, 1);
    const first = get(client, '/held');
    const queued = get(client, '/queued');
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.close();
    assert.deepEqual(await Promise.all([first, queued]), [0, 0]);
  });
});
