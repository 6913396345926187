import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { GroupCallEvent } from '../../src/domain/group-call-event.js';
import { createRandom } from '../../src/simulate/random.js';
import { generateGroupRoom } from '../../src/simulate/group/generate-group-room.js';
import type { CallStore } from '../../src/storage/port.js';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { runStepsOnClient } from '../../src/storage/postgres/sql-step-runner.js';
import { rebuildGroupSessions } from '../../src/storage/sql/record-group-events.js';
import { driveSync } from '../../src/storage/sql/sql-steps.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import { createSqliteExecutor } from '../../src/storage/sqlite/sql-step-runner.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { groupCallValuesOf } from '../fixtures/group-call-fixture.js';
import { tempDatabaseFile } from '../fixtures/test-app.js';
import { createTestSchema, describePostgres, withClient } from '../postgres/pg-test-schema.js';
import { groupDeliveryOf } from './group-calls-contract.js';

const T0 = 1_700_000_000_000;

/** The stored session and stay rows, and the rows a from-scratch rebuild of the same stored events writes (then rolled back). */
interface RowsOpener {
  store: CallStore;
  storedAndRebuilt(sids: readonly string[]): Promise<{ stored: unknown; rebuilt: unknown }>;
  /** Deletes the stored events of `sid` (of one participant, or all) and rebuilds the sid, committed: stays and sessions that go. */
  dropEvents(sid: string, userId: string | null): Promise<void>;
  cleanup(): Promise<void>;
}

/** Rooms of the simulator, several at once, their deliveries shuffled with repeats and cut into batches. */
const deliveries = fc
  .record({ seed: fc.nat(), rooms: fc.integer({ min: 1, max: 4 }), maxParticipants: fc.integer({ min: 2, max: 12 }) })
  .chain(({ seed, rooms, maxParticipants }) => {
    const random = createRandom(`rebuild-rows-${seed}`);
    const events: GroupCallEvent[] = [];
    for (let r = 0; r < rooms; r++) {
      events.push(...generateGroupRoom(random, { startMs: T0, spanMs: 60_000, maxParticipants, neverEndsShare: 0.2, rejoinShare: 0.3 }).events);
    }
    return fc.record({
      events: fc.constant(events),
      // Live order (by ts, as LINE Planet sends them: most sessions are extended, not
      // rebuilt, apply-group-events.ts) or any order (rebuilt).
      delivered: fc.tuple(fc.boolean(), fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 8 })).chain(([live, again]) => {
        const all = [...events, ...again.map((i) => events[i] as GroupCallEvent)];
        return live ? fc.constant(all.sort((a, b) => a.ts - b.ts)) : fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
      }),
      batches: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 6 }),
    });
  });

function describeRebuildRows(name: string, open: () => Promise<RowsOpener>, runs: number): void {
  describe(`${name}: a rebuild writes only what changed`, () => {
    it('when rooms are delivered live or shuffled, with repeats, in several batches, then after every batch the stored rows are those of a from-scratch rebuild', async () => {
      await fc.assert(
        fc.asyncProperty(deliveries, async ({ events, delivered, batches }) => {
          const opened = await open();
          try {
            const sids = [...new Set(events.map((e) => e.sid))].sort();
            let at = 0;
            for (let b = 0; at < delivered.length; b++) {
              const size = batches[b % batches.length] as number;
              await opened.store.recordCallbacks(delivered.slice(at, at + size).map((e) => groupDeliveryOf(groupCallValuesOf(e))));
              at += size;
              const { stored, rebuilt } = await opened.storedAndRebuilt(sids);
              assert.deepEqual(stored, rebuilt, `after ${at} of ${delivered.length} deliveries`);
            }
            // A participant's events gone (fewer stays), then a whole room's (no session).
            const guest = events.find((e) => e.user_id !== e.host_id) ?? (events[0] as GroupCallEvent);
            await opened.dropEvents(guest.sid, guest.user_id);
            const fewer = await opened.storedAndRebuilt(sids);
            assert.deepEqual(fewer.stored, fewer.rebuilt, `without ${guest.user_id}`);
            await opened.dropEvents(sids[0] as string, null);
            const gone = await opened.storedAndRebuilt(sids);
            assert.deepEqual(gone.stored, gone.rebuilt, 'without a room');
          } finally {
            await opened.cleanup();
          }
        }),
        { numRuns: runs },
      );
    });
  });
}

describeRebuildRows('sqlite', async () => {
  const temp = tempDatabaseFile();
  const store = createSqliteStore(temp.file);
  const db = openSqlite(temp.file);
  const execute = createSqliteExecutor(db);
  const rows = () => ({
    sessions: db.prepare('SELECT * FROM group_sessions ORDER BY sid').all(),
    stays: db.prepare('SELECT * FROM group_stays ORDER BY sid, seq').all(),
  });
  return {
    store,
    async storedAndRebuilt(sids) {
      db.exec('BEGIN IMMEDIATE');
      try {
        const stored = rows();
        db.exec('DELETE FROM group_stays; DELETE FROM group_sessions');
        driveSync(rebuildGroupSessions('sqlite', sids), execute);
        return { stored, rebuilt: rows() };
      } finally {
        db.exec('ROLLBACK');
      }
    },
    async dropEvents(sid, userId) {
      db.transaction(() => {
        db.prepare('DELETE FROM group_call_events WHERE sid = ? AND (? IS NULL OR user_id = ?)').run(sid, userId, userId);
        driveSync(rebuildGroupSessions('sqlite', [sid]), execute);
      }).immediate();
    },
    async cleanup() {
      db.close();
      await store.close();
      temp.cleanup();
    },
  };
}, 40);

describePostgres('postgres: group rebuild rows', (url) => {
  describeRebuildRows('postgres', async () => {
    const schema = await createTestSchema(url);
    const store = await createPostgresStore(schema.url);
    return {
      store,
      storedAndRebuilt: (sids) =>
        withClient(url, async (client) => {
          // Every column as text: what is stored, byte for byte.
          const rows = async () => ({
            sessions: (await client.query('SELECT t::text AS row FROM group_sessions t ORDER BY sid')).rows,
            stays: (await client.query('SELECT t::text AS row FROM group_stays t ORDER BY sid, seq')).rows,
          });
          await client.query(`SET search_path TO ${schema.schema}`);
          await client.query('BEGIN');
          try {
            const stored = await rows();
            await client.query('DELETE FROM group_stays');
            await client.query('DELETE FROM group_sessions');
            await runStepsOnClient(client, rebuildGroupSessions('postgres', sids));
            return { stored, rebuilt: await rows() };
          } finally {
            await client.query('ROLLBACK');
          }
        }),
      dropEvents: (sid, userId) =>
        withClient(url, async (client) => {
          await client.query(`SET search_path TO ${schema.schema}`);
          await client.query('BEGIN');
          await client.query('DELETE FROM group_call_events WHERE sid = $1 AND ($2::text IS NULL OR user_id = $2)', [sid, userId]);
          await runStepsOnClient(client, rebuildGroupSessions('postgres', [sid]));
          await client.query('COMMIT');
        }),
      async cleanup() {
        await store.close();
        await schema.drop();
      },
    };
  }, 16);
});
