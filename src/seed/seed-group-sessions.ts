import { buildGroupSession } from '../domain/group/build-group-session.js';
import { GROUP_EVENT_INSERT_COLUMNS, groupEventColumnValues, groupSessionRowOf, groupStayRowsOf } from '../storage/sql/group-call-rows.js';
import { groupQuarterOf } from '../storage/sql/group-rollup-refresh.js';
import { migrateSqlite } from '../storage/sqlite/migrate.js';
import { openSqlite } from '../storage/sqlite/open-sqlite.js';
import type { SqliteDatabase } from '../storage/sqlite/sqlite-driver.js';
import { enterBulkLoad, restoreDurability, SEED_INDEX_CACHE_KIB } from './seed-calls.js';
import { generateGroupSeedHours, type GroupSeedOptions, type GroupSeedRoom } from './group-seed-generator.js';
import { createObjectRowWriter, createRowWriter, type ObjectRowWriter, type RowWriter } from './seed-row-writer.js';

/** Sessions written per transaction, at least (whole hours are kept together). */
export const GROUP_SEED_CHUNK_SESSIONS = 20_000;

/** The group tables the seeder writes; their secondary indexes are built at the end when they start empty. */
const GROUP_TABLES = ['group_call_events', 'group_sessions', 'group_stays'] as const;

/** The started_at range (Unix ms, both inclusive) of one seeded batch's sessions. */
export interface SeededStartRange {
  fromMs: number;
  toMs: number;
}

/**
 * Marks stale, in each seeded batch's transaction, every quarter-hour of the started_at
 * range of its sessions (group_rollups_stale, migration 16), as the store does for the
 * sessions a callback batch rebuilds: the first group statistics question over the seeded
 * days builds their rollups (docs/statistics.md, "Group figures"). A quarter without a
 * session builds no row.
 */
export function markSeededGroupSlotsStale(db: SqliteDatabase, range: SeededStartRange): void {
  const mark = db.prepare('INSERT INTO group_rollups_stale (width, slot) VALUES (900, ?) ON CONFLICT (width, slot) DO NOTHING');
  for (let slot = groupQuarterOf(range.fromMs); slot <= groupQuarterOf(range.toMs); slot += 900) mark.run(slot);
}

export interface GroupSeedResult {
  sessions: number;
  events: number;
  stays: number;
  seconds: number;
  /** Where `seconds` went, in seconds: drawing the rooms; building their sessions and writing the rows, commits included; the index build. */
  phases: { generate: number; write: number; index: number };
}

/** The writers of the three group tables. */
interface GroupWriters {
  events: RowWriter;
  sessions: ObjectRowWriter;
  stays: ObjectRowWriter;
}

/**
 * Writes rooms as the store would store their events (storage/sql/record-group-events.ts,
 * rebuildGroupSessions): each room's session from buildGroupSession with the store's
 * clock, mapped by groupSessionRowOf and groupStayRowsOf. Seeded events have no raw request
 * (raw_request_id 0), a content hash of `seed:<sid>`, no conflicting version, and were
 * received at their own ts. Returns the started_at range of the rooms written.
 */
function writeRooms(rooms: readonly GroupSeedRoom[], to: GroupWriters): SeededStartRange {
  const range = { fromMs: Number.POSITIVE_INFINITY, toMs: Number.NEGATIVE_INFINITY };
  for (const room of rooms) {
    const session = buildGroupSession(room.events, { now: 0, deadlineMs: 0 });
    if (session === null) continue;
    let lastEventAt = 0;
    for (const event of room.events) {
      lastEventAt = Math.max(lastEventAt, event.ts);
      to.events.add(groupEventColumnValues(event, { contentHash: `seed:${room.sid}`, receivedAt: event.ts, rawRequestId: 0 }));
    }
    to.sessions.add(groupSessionRowOf(session, { lastEventAt, conflicts: 0 }));
    for (const stay of groupStayRowsOf(session)) to.stays.add(stay);
    range.fromMs = Math.min(range.fromMs, session.started_at);
    range.toMs = Math.max(range.toMs, session.started_at);
  }
  to.events.flush();
  to.sessions.flush();
  to.stays.flush();
  return range;
}

/** Whole hours of rooms, at least `chunkSessions` sessions per chunk (but the last). */
function* groupSeedChunks(options: GroupSeedOptions, chunkSessions: number): Generator<GroupSeedRoom[]> {
  let chunk: GroupSeedRoom[] = [];
  for (const hour of generateGroupSeedHours(options)) {
    for (const room of hour) chunk.push(room);
    if (chunk.length >= chunkSessions) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * Fills a SQLite database with realistic group call room sessions fast: the group
 * simulator's rooms, their events in group_call_events, and the group_sessions and
 * group_stays the store's own builder makes of them, so that a later rebuild from the
 * events gives the same rows. Big transactions of multi-row prepared inserts, sids in
 * time order; into empty group tables, their secondary indexes are built once at the end.
 * A bulk load, not acknowledged callbacks: synchronous=OFF while seeding (into an empty
 * database also the rollback journal in memory with an exclusive lock), so a crash
 * mid-seed leaves a partial or damaged seed. WAL and synchronous=FULL are restored at the end.
 */
export function seedSqliteGroupSessions(
  file: string,
  options: GroupSeedOptions,
  onProgress?: (done: number, indexing?: string) => void,
  tuning: { chunkSessions?: number } = {},
): GroupSeedResult {
  const started = performance.now();
  const phases = { generate: 0, write: 0, index: 0 };
  const db = openSqlite(file);
  let bulk = false;
  try {
    migrateSqlite(db, Date.now());
    const wasEmpty = db.prepare('SELECT 1 FROM group_call_events LIMIT 1').get() === undefined;
    const databaseEmpty = wasEmpty && db.prepare('SELECT 1 FROM calls LIMIT 1').get() === undefined;
    bulk = databaseEmpty && file !== ':memory:';
    enterBulkLoad(db, bulk, { threads: 2 });
    const indexes = wasEmpty
      ? (db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN (${GROUP_TABLES.map(() => '?').join(', ')}) AND sql IS NOT NULL`)
          .all(...GROUP_TABLES) as Array<{ name: string; sql: string }>)
          // Partial indexes (open sessions) hold few rows: kept while inserting.
          .filter((index) => !/\bWHERE\b/i.test(index.sql))
      : [];
    for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
    const writers: GroupWriters = {
      events: createRowWriter(db, 'group_call_events', GROUP_EVENT_INSERT_COLUMNS),
      sessions: createObjectRowWriter(db, 'group_sessions'),
      stays: createObjectRowWriter(db, 'group_stays'),
    };
    // Sessions are built while the transaction is open: the seed is the database's only writer.
    const writeChunk = db.transaction((rooms: GroupSeedRoom[]) => {
      const range = writeRooms(rooms, writers);
      if (rooms.length > 0) markSeededGroupSlotsStale(db, range);
    });
    const chunks = groupSeedChunks(options, Math.max(1, tuning.chunkSessions ?? GROUP_SEED_CHUNK_SESSIONS));
    for (;;) {
      const t0 = performance.now();
      const next = chunks.next();
      const t1 = performance.now();
      phases.generate += t1 - t0;
      if (next.done === true) break;
      writeChunk.immediate(next.value);
      phases.write += performance.now() - t1;
      onProgress?.(writers.sessions.rows());
    }
    const result = { sessions: writers.sessions.rows(), events: writers.events.rows, stays: writers.stays.rows() };
    const t3 = performance.now();
    db.pragma(`cache_size = -${SEED_INDEX_CACHE_KIB}`);
    for (const index of indexes) {
      onProgress?.(result.sessions, index.name);
      db.exec(index.sql);
    }
    phases.index = performance.now() - t3;
    restoreDurability(db, bulk);
    bulk = false;
    for (const k of Object.keys(phases) as Array<keyof typeof phases>) phases[k] /= 1000;
    return { ...result, seconds: (performance.now() - started) / 1000, phases };
  } finally {
    if (bulk) restoreDurability(db, bulk);
    db.close();
  }
}
