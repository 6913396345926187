import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import type { GroupCallEvent } from '../../src/domain/group-call-event.js';
import type { CallStore } from '../../src/storage/port.js';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { groupCallValuesOf, newGroupSid, validGroupCallEvent } from '../fixtures/group-call-fixture.js';
import { tempDatabaseFile } from '../fixtures/test-app.js';
import { createTestSchema, describePostgres, type TestSchema } from '../postgres/pg-test-schema.js';
import { groupDeliveryOf } from './group-calls-contract.js';

// SQLite records a batch's group events one by one (recordGroupEvent); PostgreSQL records
// them a statement per step for the whole batch (recordGroupEvents in
// postgres/record-callbacks.ts). Both must answer as one-by-one recording in input order:
// the same batches go to both, and every result and stored row must agree.

const T0 = 1_700_000_000_000;

/** Deliveries of a few keys of two rooms, each in one of three versions, cut into batches. */
const deliveries = fc.record({
  picks: fc.array(fc.record({ key: fc.nat({ max: 5 }), version: fc.nat({ max: 2 }) }), { minLength: 1, maxLength: 30 }),
  batches: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 4 }),
});

/** Key k: room k % 2, participant of k / 2, its own time; the version changes `online`. */
function eventOf(sids: readonly string[], key: number, version: number): GroupCallEvent {
  return validGroupCallEvent({ sid: sids[key % 2] as string, user_id: `user-${Math.floor(key / 2)}`, ts: T0 + key * 1_000, online: 1 + version });
}

describePostgres('group events: PostgreSQL batches against SQLite one by one', (url) => {
  const temp = tempDatabaseFile();
  let schema: TestSchema;
  let sqlite: CallStore;
  let postgres: CallStore;
  before(async () => {
    schema = await createTestSchema(url);
    postgres = await createPostgresStore(schema.url);
    sqlite = createSqliteStore(temp.file);
  });
  after(async () => {
    await postgres?.close();
    await sqlite?.close();
    await schema?.drop();
    temp.cleanup();
  });

  it('when batches mix new keys, repeats and versions of stored keys and keys repeated within a batch, then results, stored events, raw requests and sessions agree', async () => {
    // The same deliveries in the same order go to both stores: raw request ids match too.
    // Each run compares its own rows (after the last raw request id before it): a failed run
    // cannot make the runs that shrink it fail.
    await fc.assert(
      fc.asyncProperty(deliveries, async ({ picks, batches }) => {
        const since = await sqlite.derivedRows().lastRawRequestId();
        const sids = [newGroupSid(), newGroupSid()];
        const records = picks.map(({ key, version }) => groupDeliveryOf(groupCallValuesOf(eventOf(sids, key, version))));
        for (let at = 0, b = 0; at < records.length; b++) {
          const batch = records.slice(at, at + (batches[b % batches.length] as number));
          at += batch.length;
          assert.deepEqual(await postgres.recordCallbacks(batch), await sqlite.recordCallbacks(batch), `batch ${b}`);
        }
        const rows = (store: CallStore) => Promise.all([store.derivedRows().groupEventsAfter(since, 1_000), store.derivedRows().rawRequestsAfter(since, 1_000)]);
        const [[events, raws], [liteEvents, liteRaws]] = await Promise.all([rows(postgres), rows(sqlite)]);
        assert.deepEqual(events, liteEvents);
        assert.deepEqual(raws.map((r) => [r.id, r.result]), liteRaws.map((r) => [r.id, r.result]));
        const clock = { now: T0 + 60_000, deadlineMs: 3_600_000 };
        for (const sid of sids) assert.deepEqual(await postgres.getGroupCall(sid, clock), await sqlite.getGroupCall(sid, clock));
      }),
      { numRuns: 20 },
    );
  });
});
