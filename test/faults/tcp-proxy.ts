import { createServer, connect, type Server, type Socket } from 'node:net';
import { createTestSchema, type TestSchema } from '../postgres/pg-test-schema.js';

/** A loopback TCP proxy to PostgreSQL that a test can cut and restore, without touching the server. */
export interface CuttableProxy {
  port: number;
  /** Drops every open connection and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  /** The local ports of the connections to PostgreSQL (pg_stat_activity.client_port). */
  upstreamPorts(): number[];
  close(): Promise<void>;
}

export async function startCuttableProxy(targetHost: string, targetPort: number): Promise<CuttableProxy> {
  const open = new Set<Socket>();
  const upstreams = new Set<Socket>();
  let cut = false;
  const server: Server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    upstreams.add(upstream);
    upstream.on('close', () => upstreams.delete(upstream));
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      open.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        open.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('proxy did not bind');
  return {
    port: address.port,
    cut() {
      cut = true;
      for (const socket of open) socket.destroy();
    },
    restore() {
      cut = false;
    },
    upstreamPorts() {
      return [...upstreams].map((s) => s.localPort).filter((p): p is number => p !== undefined);
    },
    close() {
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
