import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { validCallbackQuery } from '../fixtures/callback-fixture.js';
import { describePostgres, withClient, type TestSchema } from '../postgres/pg-test-schema.js';
import { type CuttableProxy, schemaBehindProxy } from './tcp-proxy.js';

/** Longest the service may take to notice the database is back, in milliseconds (a bound, not a timing assertion). */
const RECOVERY_BOUND_MS = 20_000;

// PostgreSQL goes away (a proxy in front of it is cut: the shared server is never stopped)
// and comes back. The receiver must never answer 200 for a callback it did not store.
describePostgres('when PostgreSQL becomes unreachable', (pgUrl) => {
  let schema: TestSchema;
  let proxy: CuttableProxy;
  let server: RunningServer;
  const acknowledged = new Set<string>();

  const deliver = async (): Promise<{ status: number; sid: string }> => {
    const query = validCallbackQuery();
    const sid = new URLSearchParams(query).get('sid') ?? '';
    const response = await fetch(`${server.url}/callbacks/call-event?${query}`);
    await response.arrayBuffer();
    if (response.status === 200) acknowledged.add(sid);
    return { status: response.status, sid };
  };
  const ready = async () => (await fetch(`${server.url}/readyz`)).status;
  const storedSids = () =>
    withClient(pgUrl, async (c) => new Set((await c.query(`SELECT sid FROM ${schema.schema}.calls`)).rows.map((r) => r.sid as string)));

  before(async () => {
    let url: string;
    ({ schema, proxy, url } = await schemaBehindProxy(pgUrl));
    // Without the spool (SPOOL_FILE=off): test/faults/spool-faults.test.ts covers it.
    server = await startServer(loadConfig({ DATABASE_URL: url, PORT: '0', LOG_LEVEL: 'silent', SPOOL_FILE: 'off' }));
  });
  after(async () => {
    await server?.close();
    await proxy?.close();
    await schema?.drop();
  });

  it('then, while it answers, callbacks get 200 and /readyz says ready', async () => {
    assert.equal((await deliver()).status, 200);
    assert.equal(await ready(), 200);
  });

  it('then, while it is cut, every callback gets 503 and /readyz says 503', async () => {
    proxy.cut();
    const results = await Promise.all(Array.from({ length: 20 }, deliver));
    assert.deepEqual([...new Set(results.map((r) => r.status))], [503]);
    assert.equal(await ready(), 503);
    const stored = await storedSids();
    for (const r of results) assert.equal(stored.has(r.sid), false, 'a refused callback must not have been stored');
  });

  it('when it is cut in the middle of a stream, then every callback answered 200 is stored', async () => {
    proxy.restore();
    await waitUntilReady(ready);
    const inFlight = Array.from({ length: 300 }, (_, i) =>
      new Promise<void>((r) => setTimeout(r, i % 30)).then(deliver),
    );
    setTimeout(() => proxy.cut(), 10);
    const results = await Promise.all(inFlight);
    for (const r of results) assert.ok(r.status === 200 || r.status === 503, `unexpected status ${r.status}`);
    const stored = await storedSids();
    for (const sid of acknowledged) assert.ok(stored.has(sid), `sid ${sid} was answered 200 but is not stored`);
  });

  it('when it comes back, then the service recovers by itself: /readyz is ready and callbacks get 200 again', async () => {
    proxy.restore();
    await waitUntilReady(ready);
    const results = await Promise.all(Array.from({ length: 20 }, deliver));
    assert.deepEqual([...new Set(results.map((r) => r.status))], [200]);
    const stored = await storedSids();
    for (const sid of acknowledged) assert.ok(stored.has(sid), `sid ${sid} was answered 200 but is not stored`);
  });

  it('when PostgreSQL ends every connection (as in a restart), then no process crash, and callbacks get 200 again', async () => {
    assert.equal((await deliver()).status, 200);
    const ports = proxy.upstreamPorts();
    assert.ok(ports.length > 0);
    const ended = await withClient(pgUrl, async (c) =>
      (await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE client_port = ANY($1::int[])', [ports])).rowCount,
    );
    assert.ok((ended ?? 0) > 0);
    await waitUntilReady(ready);
    const results = await Promise.all(Array.from({ length: 20 }, deliver));
    assert.deepEqual([...new Set(results.map((r) => r.status))], [200]);
    const stored = await storedSids();
    for (const sid of acknowledged) assert.ok(stored.has(sid), `sid ${sid} was answered 200 but is not stored`);
  });
});

async function waitUntilReady(ready: () => Promise<number>): Promise<void> {
  const deadline = Date.now() + RECOVERY_BOUND_MS;
  while (Date.now() < deadline) {
    if ((await ready()) === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready ${RECOVERY_BOUND_MS} ms after the database came back`);
}
