import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSeeded } from '../../test/fixtures/seeded-database.js';
import { tempDatabaseFile } from '../../test/fixtures/test-app.js';
import { createSqliteStore } from '../storage/sqlite/sqlite-store.js';
import { rebuildGroupSessions } from '../storage/sql/record-group-events.js';
import { driveSync } from '../storage/sql/sql-steps.js';
import { createSqliteExecutor } from '../storage/sqlite/sql-step-runner.js';
import type { SqliteDatabase } from '../storage/sqlite/sqlite-driver.js';
import { GROUP_SEED_TAIL_MS, type GroupSeedOptions } from './group-seed-generator.js';
import { seedSqliteGroupSessions } from './seed-group-sessions.js';

/** 2026-01-01T00:00:00Z. */
const END = 1_767_225_600;
const SMALL: GroupSeedOptions = { sessions: 300, days: 2, seed: 7, end: END };

const sessionRows = (db: SqliteDatabase) => db.prepare('SELECT * FROM group_sessions ORDER BY sid').all();
const stayRows = (db: SqliteDatabase) => db.prepare('SELECT * FROM group_stays ORDER BY sid, seq').all();
const count = (db: SqliteDatabase, table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

/** Seeds a fresh temp file with `options` (twice when `more` is given), then reads it. */
function seeded<T>(read: (db: SqliteDatabase) => T, options: GroupSeedOptions = SMALL, more?: GroupSeedOptions, chunkSessions?: number): T {
  return readSeeded((file) => {
    seedSqliteGroupSessions(file, options, undefined, chunkSessions === undefined ? {} : { chunkSessions });
    if (more !== undefined) seedSqliteGroupSessions(file, more);
  }, read);
}

/** The stored sessions and stays, then the same after the store's own rebuild of every sid from its stored events. */
function storedAndRebuilt(db: SqliteDatabase) {
  const stored = { sessions: sessionRows(db), stays: stayRows(db) };
  const sids = (db.prepare('SELECT DISTINCT sid FROM group_call_events ORDER BY sid').all() as Array<{ sid: string }>).map((r) => r.sid);
  const execute = createSqliteExecutor(db);
  db.transaction(() => driveSync(rebuildGroupSessions('sqlite', sids), execute)).immediate();
  return { stored, rebuilt: { sessions: sessionRows(db), stays: stayRows(db) }, sids };
}

describe('callevt seed --group (seedSqliteGroupSessions)', () => {
  it('when seeded, then the group statistics answer from rollups built over the seeded days exactly as a scan of the sessions', async () => {
    const temp = tempDatabaseFile();
    try {
      seedSqliteGroupSessions(temp.file, SMALL, undefined, { chunkSessions: 50 });
      const store = createSqliteStore(temp.file);
      try {
        const query = { filter: { from: (END - 3 * 86_400) * 1000, to: END * 1000 }, clock: { now: END * 1000, deadlineMs: 7_200_000 } };
        const rolled = await store.groupStatsSummary(query);
        const scanned = await store.groupStatsSummary({ ...query, exact: true });
        assert.equal(rolled.source, 'rollups');
        assert.equal(scanned.source, 'sessions');
        assert.equal(rolled.summary.sessions, SMALL.sessions);
        assert.deepEqual(rolled.summary, scanned.summary);
      } finally {
        await store.close();
      }
    } finally {
      temp.cleanup();
    }
  });

  it('when a small database is seeded, then its sessions and stays are what the store rebuilds from its stored events', () => {
    const { stored, rebuilt, sids } = seeded(storedAndRebuilt);
    assert.equal(sids.length, SMALL.sessions);
    assert.equal(stored.sessions.length, SMALL.sessions);
    assert.ok(stored.stays.length > SMALL.sessions * 2, `only ${stored.stays.length} stays`);
    assert.deepEqual(rebuilt, stored);
  });

  it('when seeded, then the rooms are realistic: several participants, most ended, some never, every stay status drawn', () => {
    const read = (db: SqliteDatabase) => ({
      states: db.prepare('SELECT state, count(*) AS n FROM group_sessions GROUP BY state ORDER BY state').all() as Array<{ state: string; n: number }>,
      statuses: (db.prepare('SELECT DISTINCT status FROM group_stays ORDER BY status').all() as Array<{ status: string }>).map((r) => r.status),
      participants: (db.prepare('SELECT avg(participants) AS p FROM group_sessions').get() as { p: number }).p,
      events: count(db, 'group_call_events'),
    });
    const { states, statuses, participants, events } = seeded(read);
    assert.deepEqual(statuses, ['completed', 'dropped', 'failed_to_join', 'in_room', 'kicked', 'replaced', 'timed_out']);
    assert.ok(participants > 3 && participants < 8, `${participants} participants per room on average`);
    assert.ok((states.find((s) => s.state === 'ended')?.n ?? 0) > SMALL.sessions * 0.8);
    assert.ok((states.find((s) => s.state === 'in_progress')?.n ?? 0) > 0, 'some rooms never end');
    assert.ok(events > SMALL.sessions * 8, `only ${events} events`);
  });

  it('when seeded, then every session starts within the window and no event lies after its end', () => {
    const read = (db: SqliteDatabase) => db.prepare('SELECT min(started_at) AS first, max(started_at) AS last, (SELECT max(ts) FROM group_call_events) AS latest FROM group_sessions').get() as { first: number; last: number; latest: number };
    const { first, last, latest } = seeded(read);
    assert.ok(first >= END * 1000 - GROUP_SEED_TAIL_MS - SMALL.days * 86_400_000, `first start ${first}`);
    assert.ok(last < END * 1000 - GROUP_SEED_TAIL_MS);
    assert.ok(latest < END * 1000, `an event at ${latest}, after the end`);
  });

  it('when seeded in many small chunks, into a database that already holds sessions, then the rows are still what a rebuild makes', () => {
    const more: GroupSeedOptions = { sessions: 120, days: 1, seed: 8, end: END - 86_400 * 3 };
    const { stored, rebuilt, sids } = seeded(storedAndRebuilt, SMALL, more, 7);
    assert.equal(sids.length, SMALL.sessions + more.sessions);
    assert.deepEqual(rebuilt, stored);
  });

  it('when the same options are seeded twice, then the databases hold the same rows', () => {
    const read = (db: SqliteDatabase) => ({ sessions: sessionRows(db), stays: stayRows(db), events: db.prepare('SELECT * FROM group_call_events ORDER BY sid, ts, user_id, sc, msc').all() });
    assert.deepEqual(seeded(read), seeded(read));
  });
});
