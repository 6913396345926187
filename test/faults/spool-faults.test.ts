import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { describePostgres, withClient, type TestSchema } from '../postgres/pg-test-schema.js';
import { type CuttableProxy, schemaBehindProxy } from './tcp-proxy.js';

/** Longest the spool may take to drain into PostgreSQL once it is back, in milliseconds (a bound, not a timing assertion). */
const DRAIN_BOUND_MS = 30_000;
/** Distinct calls delivered while PostgreSQL is cut. */
const OUTAGE_CALLS = 60;

interface ReadyAnswer { status: number; body: { status: string; database: string; spool?: { status: string; pending: number; held: number } } }

// With the spool on (the default with PostgreSQL), an outage is invisible to LINE Planet:
// every callback is answered 200 once it is in the local spool, and reaches PostgreSQL later.
describePostgres('when PostgreSQL becomes unreachable and the spool is on', (pgUrl) => {
  let schema: TestSchema;
  let proxy: CuttableProxy;
  let server: RunningServer;
  let config: ReturnType<typeof loadConfig>;
  const spoolDir = mkdtempSync(join(tmpdir(), 'callevt-spool-faults-'));

  const send = async (values: Record<string, string>): Promise<{ status: number; result?: string }> => {
    const response = await fetch(`${server.url}/callbacks/call-event?${new URLSearchParams(values)}`);
    const body = (await response.json()) as { result?: string };
    return { status: response.status, ...(body.result ? { result: body.result } : {}) };
  };
  const ready = async (): Promise<ReadyAnswer> => {
    const response = await fetch(`${server.url}/readyz`);
    return { status: response.status, body: (await response.json()) as ReadyAnswer['body'] };
  };
  const drained = async (): Promise<void> => {
    const deadline = Date.now() + DRAIN_BOUND_MS;
    for (;;) {
      const answer = await ready();
      if (answer.status === 200 && answer.body.spool?.pending === 0) return;
      if (Date.now() > deadline) throw new Error(`spool not drained ${DRAIN_BOUND_MS} ms after restore: ${JSON.stringify(answer)}`);
      await sleep(100);
    }
  };
  /** Per sid, the results of its raw requests in PostgreSQL, oldest first. */
  const rawResults = () =>
    withClient(pgUrl, async (c) => {
      const rows = (await c.query(`SELECT sid, result FROM ${schema.schema}.raw_requests ORDER BY id`)).rows as Array<{ sid: string; result: string }>;
      const bySid = new Map<string, string[]>();
      for (const row of rows) bySid.set(row.sid, [...(bySid.get(row.sid) ?? []), row.result]);
      return bySid;
    });
  const callCounts = () =>
    withClient(pgUrl, async (c) => new Map(((await c.query(`SELECT sid, count(*)::int AS n FROM ${schema.schema}.calls GROUP BY sid`)).rows as Array<{ sid: string; n: number }>)
      .map((r) => [r.sid, r.n])));

  before(async () => {
    let url: string;
    ({ schema, proxy, url } = await schemaBehindProxy(pgUrl));
    config = loadConfig({ DATABASE_URL: url, PORT: '0', LOG_LEVEL: 'silent', SPOOL_FILE: join(spoolDir, 'spool.db') });
    server = await startServer(config);
  });
  after(async () => {
    await server?.close();
    await proxy?.close();
    await schema?.drop();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('when it is cut, then every callback (duplicates too) gets 200 spooled and /readyz is 503 saying the spool takes them; when it is back, every sid reaches PostgreSQL once, duplicates stay duplicates, and the spool empties', async () => {
    const before = await send(validCallbackValues());
    assert.deepEqual(before, { status: 200, result: 'accepted' });
    const readyBefore = await ready();
    assert.deepEqual(readyBefore.body.spool, { status: 'standby', pending: 0, held: 0 });

    proxy.cut();
    const calls = Array.from({ length: OUTAGE_CALLS }, () => validCallbackValues());
    const repeated = calls.slice(0, 10); // each delivered twice during the outage
    const sentTwice = calls[OUTAGE_CALLS - 1]!; // once during the outage, again after restore
    const answers = await Promise.all([...calls, ...repeated].map(send));
    assert.deepEqual([...new Set(answers.map((a) => `${a.status} ${a.result}`))], ['200 spooled']);
    const unready = await ready();
    assert.equal(unready.status, 503);
    assert.equal(unready.body.status, 'unavailable');
    assert.deepEqual(unready.body.spool, { status: 'taking_callbacks', pending: OUTAGE_CALLS + repeated.length, held: 0 });
    const storedDuringOutage = await rawResults();
    for (const values of calls) assert.equal(storedDuringOutage.has(values.sid!), false, 'nothing reached PostgreSQL through the cut');

    proxy.restore();
    const again = await send(sentTwice);
    assert.equal(again.status, 200);
    assert.ok(again.result === 'spooled' || again.result === 'duplicate', `got ${again.result}`);
    await drained();
    assert.deepEqual(await send(sentTwice), { status: 200, result: 'duplicate' }, 'after the drain, straight to PostgreSQL');

    const results = await rawResults();
    const counts = await callCounts();
    for (const values of calls) {
      const sid = values.sid!;
      assert.equal(counts.get(sid), 1, `sid ${sid} is not stored exactly once`);
      const expected = repeated.includes(values) ? ['accepted', 'duplicate'] : sid === sentTwice.sid ? ['accepted', 'duplicate', 'duplicate'] : ['accepted'];
      assert.deepEqual(results.get(sid), expected, `deliveries of ${sid}`);
    }
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`callevt_spool_replayed_total\\{result="duplicate"\\} ${repeated.length + (again.result === 'spooled' ? 1 : 0)}\\n`));
    assert.match(metrics, /callevt_spool_pending 0\n/);
  });

  it('when it is cut in the middle of a stream, then no callback gets 503, and once it is back every one is in PostgreSQL, accepted once', async () => {
    const stream = Array.from({ length: 300 }, () => validCallbackValues());
    const inFlight = stream.map((values, i) => sleep(i % 30).then(() => send(values)));
    setTimeout(() => proxy.cut(), 10);
    const answers = await Promise.all(inFlight);
    for (const answer of answers) assert.equal(answer.status, 200);
    proxy.restore();
    await drained();
    const results = await rawResults();
    for (const values of stream) {
      // A commit whose answer was lost in the cut was spooled too: its replay is a duplicate, never a second call.
      assert.equal(results.get(values.sid!)?.filter((r) => r === 'accepted').length, 1, `sid ${values.sid}`);
    }
  });

  it('when the receiver starts while the database is down, then it takes callbacks into the spool, reads answer 503, and once the database is back it is opened and the spool drains', async () => {
    proxy.cut();
    await server.close();
    server = await startServer(config);
    const calls = Array.from({ length: 15 }, () => validCallbackValues());
    for (const answer of await Promise.all(calls.map(send))) assert.deepEqual(answer, { status: 200, result: 'spooled' });
    const unready = await ready();
    assert.equal(unready.status, 503);
    assert.deepEqual(unready.body.spool, { status: 'taking_callbacks', pending: calls.length, held: 0 });
    const read = await fetch(`${server.url}/api/calls/${calls[0]!.sid}`);
    assert.equal(read.status, 503);
    assert.equal(((await read.json()) as { error: { code: string } }).error.code, 'storage_unavailable');
    proxy.restore();
    await drained();
    const results = await rawResults();
    for (const values of calls) assert.deepEqual(results.get(values.sid!), ['accepted'], `sid ${values.sid}`);
    assert.deepEqual(await send(validCallbackValues()), { status: 200, result: 'accepted' }, 'straight to PostgreSQL once open');
    assert.equal((await fetch(`${server.url}/api/calls/${calls[0]!.sid}`)).status, 200);
  });

  it('when the receiver stops while the database is down, then the spool keeps the callbacks and the next start replays them', async () => {
    proxy.cut();
    const calls = Array.from({ length: 20 }, () => validCallbackValues());
    for (const answer of await Promise.all(calls.map(send))) assert.deepEqual(answer, { status: 200, result: 'spooled' });
    await server.close();
    proxy.restore();
    server = await startServer(config);
    await drained();
    const results = await rawResults();
    for (const values of calls) assert.deepEqual(results.get(values.sid!), ['accepted'], `sid ${values.sid}`);
  });
});
