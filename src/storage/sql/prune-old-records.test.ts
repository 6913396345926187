import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { deliveryOf } from '../../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { createTestSchema, describePostgres, withClient } from '../../../test/postgres/pg-test-schema.js';
import { openStore, pruneDatabase } from '../open-store.js';

/** Opens an empty database and returns its URL, a row counter and its cleanup. */
type Opener = () => Promise<{ url: string; count(table: string): Promise<number>; cleanup(): Promise<void> }>;

const OLD = 1_600_000_000; // Unix seconds, before the cutoff
const NEW = 1_700_000_000;
const CUTOFF = 1_650_000_000;

function describePrune(name: string, open: Opener): void {
  describe(`${name}: prune`, () => {
    it('when records straddle the cutoff, then only the older calls, conflicts, raw requests and quarantine entries go', async () => {
      const db = await open();
      try {
        const old = validCallbackValues({ setup_time: String(OLD), start_time: String(OLD + 5), end_time: String(OLD + 125) });
        const recent = validCallbackValues();
        const store = await openStore(db.url);
        await store.recordCallbacks([
          deliveryOf(old, OLD * 1000),
          deliveryOf({ ...old, duration: '9' }, OLD * 1000),
          deliveryOf(validCallbackValues({ type: 'X' }), OLD * 1000),
          deliveryOf(recent, NEW * 1000),
          deliveryOf({ ...recent, duration: '9' }, NEW * 1000),
          deliveryOf(validCallbackValues({ type: 'X' }), NEW * 1000),
        ]);
        await store.close();

        const result = await pruneDatabase(db.url, { before: CUTOFF });

        assert.deepEqual(result, { calls: 1, call_conflicts: 1, raw_requests: 3, quarantine: 1 });
        const after = await openStore(db.url);
        try {
          assert.equal(await after.getCall(old.sid!), null);
          assert.equal((await after.getCall(recent.sid!))?.conflicts, 1);
          assert.equal((await after.listQuarantine({ limit: 10 })).length, 1);
        } finally {
          await after.close();
        }
        assert.equal(await db.count('call_conflicts'), 1);
        assert.equal(await db.count('raw_requests'), 3);
      } finally {
        await db.cleanup();
      }
    });

    it('when the cutoff falls inside an hour, then calls of that hour stay, so that its statistics rollup stays whole', async () => {
      const db = await open();
      try {
        const hour = 1_650_002_400; // a whole UTC hour
        const early = validCallbackValues({ setup_time: String(hour + 60), start_time: String(hour + 65), end_time: String(hour + 70) });
        const store = await openStore(db.url);
        await store.recordCallbacks([deliveryOf(early, (hour + 70) * 1000)]);
        await store.close();

        const result = await pruneDatabase(db.url, { before: hour + 1800 });

        assert.equal(result.calls, 0);
        assert.equal(result.raw_requests, 1, 'raw requests are pruned to the exact time');
        assert.equal(await db.count('calls'), 1);
      } finally {
        await db.cleanup();
      }
    });

    it('when more old rows exist than one batch holds, then every batch runs until none is left', async () => {
      const db = await open();
      try {
        const store = await openStore(db.url);
        const old = Array.from({ length: 7 }, () => deliveryOf(validCallbackValues({ setup_time: String(OLD) }), OLD * 1000));
        await store.recordCallbacks([...old, deliveryOf(validCallbackValues(), NEW * 1000)]);
        await store.close();
        const seen: number[] = [];

        const result = await pruneDatabase(db.url, { before: CUTOFF, batchSize: 2, onProgress: (t, n) => t === 'calls' && seen.push(n) });

        assert.equal(result.calls, 7);
        assert.equal(result.raw_requests, 7);
        assert.deepEqual(seen, [2, 4, 6, 7]);
        assert.equal(await db.count('calls'), 1);
      } finally {
        await db.cleanup();
      }
    });
  });
}

describePrune('sqlite', async () => {
  const file = tempDatabaseFile();
  return {
    url: file.file,
    async count(table) {
      const db = new Database(file.file, { readonly: true });
      try {
        return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      } finally {
        db.close();
      }
    },
    cleanup: async () => file.cleanup(),
  };
});

describePostgres('postgres prune', (pgUrl) => {
  describePrune('postgres', async () => {
    const schema = await createTestSchema(pgUrl);
    return {
      url: schema.url,
      count: (table) =>
        withClient(pgUrl, async (c) => Number((await c.query(`SELECT count(*) AS n FROM ${schema.schema}.${table}`)).rows[0].n)),
      cleanup: () => schema.drop(),
    };
  });
});
