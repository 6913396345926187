import { createServer, connect, type Server, type Socket } from 'node:net';
import { createTestSchema, type TestSchema } from '../postgres/pg-test-schema.js';

/** A loopback TCP proxy to PostgreSQL that a test can cut, stall and restore, without touching the server. */
export interface CuttableProxy {
  port: number;
  /** Drops every open connection and refuses new ones until restore(). */
  cut(): void;
  /**
   * A silently dead network: nothing flows either way and nothing is refused or closed.
   * Open connections stay open but carry nothing; new connections are accepted but never
   * reach the server; a socket closed on one side is not seen by the other. On restore()
   * what waited is delivered, as TCP would once the network is back.
   */
  stall(): void;
  restore(): void;
  /** The local ports of the connections to PostgreSQL (pg_stat_activity.client_port). */
  upstreamPorts(): number[];
  close(): Promise<void>;
}

export async function startCuttableProxy(targetHost: string, targetPort: number): Promise<CuttableProxy> {
  const open = new Set<Socket>();
  const upstreams = new Set<Socket>();
  const pairs: Array<[Socket, Socket]> = [];
  let cut = false;
  let stalled = false;
  /** What the network does once it is back: connections to open, closes to pass on. */
  let onRestore: Array<() => void> = [];
  const whenFlowing = (action: () => void) => {
    if (stalled) onRestore.push(action);
    else action();
  };
  const link = (client: Socket) => {
    if (client.destroyed) return;
    const upstream = connect(targetPort, targetHost);
    upstreams.add(upstream);
    upstream.on('close', () => upstreams.delete(upstream));
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      open.add(a);
      pairs.push([a, b]);
      a.on('error', () => whenFlowing(() => b.destroy()));
      a.on('close', () => {
        open.delete(a);
        const index = pairs.findIndex(([x]) => x === a);
        if (index !== -1) pairs.splice(index, 1);
        whenFlowing(() => b.destroy());
      });
      a.pipe(b);
    }
  };
  const flow = () => {
    stalled = false;
    for (const [a, b] of pairs) if (!a.destroyed && !b.destroyed) a.pipe(b);
    const actions = onRestore;
    onRestore = [];
    for (const action of actions) action();
  };
  const server: Server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    open.add(client);
    client.on('error', () => undefined);
    client.on('close', () => open.delete(client));
    whenFlowing(() => link(client));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('proxy did not bind');
  return {
    port: address.port,
    cut() {
      flow();
      cut = true;
      for (const socket of open) socket.destroy();
    },
    stall() {
      stalled = true;
      for (const [a, b] of pairs) {
        a.unpipe(b);
        a.pause();
      }
    },
    restore() {
      cut = false;
      flow();
    },
    upstreamPorts() {
      return [...upstreams].map((s) => s.localPort).filter((p): p is number => p !== undefined);
    },
    close() {
      flow();
      cut = true;
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A fresh test schema reached through a cuttable proxy: `url` connects to the schema via
 * the proxy, so cutting the proxy makes PostgreSQL unreachable for whoever uses `url`.
 */
export async function schemaBehindProxy(pgUrl: string): Promise<{ schema: TestSchema; proxy: CuttableProxy; url: string }> {
  const schema = await createTestSchema(pgUrl);
  const target = new URL(pgUrl);
  const proxy = await startCuttableProxy(target.hostname, Number(target.port || 5432));
  return { schema, proxy, url: urlThroughProxy(schema.url, proxy) };
}

/** The same database URL, reaching the server through the proxy instead. */
export function urlThroughProxy(databaseUrl: string, proxy: CuttableProxy): string {
  const viaProxy = new URL(databaseUrl);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  return viaProxy.toString();
}
