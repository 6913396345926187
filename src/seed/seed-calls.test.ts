import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSeeded } from '../../test/fixtures/seeded-database.js';
import { tempDatabaseFile } from '../../test/fixtures/test-app.js';
import { openSqlite } from '../storage/sqlite/open-sqlite.js';
import { createSqliteRollups } from '../storage/sqlite/rollups.js';
import { type SeedStage, seedSqliteCalls, type SeedTuning } from './seed-calls.js';
import { generateSeedHours, type SeedOptions } from './seed-generator.js';
import { SEED_CALLS_AHEAD, SEED_ROLLUP_BACKLOG_CHUNKS } from './seed-rollup-worker-protocol.js';
import type { SqliteDatabase } from '../storage/sqlite/sqlite-driver.js';

/** 2026-01-01T00:00:00Z. */
const END = 1_767_225_600;
const SMALL: SeedOptions = { calls: 4_321, days: 3, seed: 5, end: END };
/** What seeding did before the bulk-load tactics: one row per INSERT, WAL, no worker. */
const PLAIN: SeedTuning = { bulkJournal: false, rowsPerInsert: 1, sortThreads: 0, rollupWorker: false, keepTimeIndexes: false };

const rollupRows = (db: SqliteDatabase) => db.prepare('SELECT * FROM call_rollups ORDER BY dim, slot, value').all();
const callRows = (db: SqliteDatabase) => db.prepare('SELECT * FROM calls ORDER BY id').all();

function seeded<T>(options: SeedOptions, tuning: SeedTuning | undefined, read: (db: SqliteDatabase) => T, more?: SeedOptions): T {
  return readSeeded((file) => {
    seedSqliteCalls(file, options, undefined, tuning);
    if (more !== undefined) seedSqliteCalls(file, more, undefined, tuning);
  }, read);
}

/** A stored histogram ([key, count, key, count, …] in insertion order) as sorted pairs. */
function histogramPairs(json: unknown): number[][] {
  const flat = JSON.parse(String(json)) as number[];
  const pairs: number[][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i] as number, flat[i + 1] as number]);
  return pairs.sort((a, b) => (a[0] as number) - (b[0] as number));
}

/** Rollup rows with their histograms compared by content, not by the order their keys were met. */
const comparable = (rows: unknown[]) => (rows as Array<Record<string, unknown>>).map((row) => ({
  ...row, duration_hist: histogramPairs(row.duration_hist), tta_hist: histogramPairs(row.tta_hist),
}));

/** The rollups as a reader sees them (stale peaks refreshed first), and as recomputed from the stored calls (every slot rebuilt). */
async function storedAndRecomputed(db: SqliteDatabase) {
  const rollups = createSqliteRollups(db);
  rollups.refreshStalePeaks();
  const stored = comparable(rollupRows(db));
  const slots = await rollups.rebuild();
  return { stored, recomputed: comparable(rollupRows(db)), slots };
}

describe('callevt seed (seedSqliteCalls)', () => {
  it('when a small database is seeded, then its rollups equal a brute-force recomputation from its calls', async () => {
    const temp = tempDatabaseFile();
    try {
      const result = seedSqliteCalls(temp.file, SMALL);
      assert.equal(result.calls, SMALL.calls);
      const db = openSqlite(temp.file);
      try {
        // Into an empty database the seed writes exact peaks itself: nothing is left for the read side.
        assert.equal((db.prepare('SELECT count(*) AS n FROM rollup_stale_peaks').get() as { n: number }).n, 0);
        const { stored, recomputed, slots } = await storedAndRecomputed(db);
        assert.equal(slots, 72);
        assert.ok(stored.length > 72 * 8, `only ${stored.length} rollup rows`);
        assert.deepEqual(stored, recomputed);
      } finally {
        db.close();
      }
    } finally {
      temp.cleanup();
    }
  });

  it('when an empty database is seeded, then progress counts every call and then names each index as it is built', () => {
    const temp = tempDatabaseFile();
    try {
      const counts: number[] = [];
      const stages: SeedStage[] = [];
      seedSqliteCalls(temp.file, SMALL, (done, stage) => (stage === undefined ? counts.push(done) : stages.push(stage)));
      assert.equal(counts.at(-1), SMALL.calls);
      assert.ok(counts.every((n, i) => i === 0 || n > (counts[i - 1] ?? 0)), 'the count never goes back');
      const db = openSqlite(temp.file);
      try {
        const built = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' AND sql IS NOT NULL AND sql NOT LIKE '%WHERE%' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
        assert.ok(built.length >= 4, `only ${built.length} indexes`);
        assert.deepEqual(stages.map((s) => s.indexing).sort(), built);
        assert.deepEqual(stages.map((s) => [s.built, s.total]), built.map((_, i) => [i, built.length]));
      } finally {
        db.close();
      }
    } finally {
      temp.cleanup();
    }
  });

  it('when calls are seeded into a database that already has calls, then the rollups stay exact', async () => {
    const temp = tempDatabaseFile();
    try {
      seedSqliteCalls(temp.file, SMALL);
      // Overlapping hours: the second seed's calls land in slots the first one filled.
      seedSqliteCalls(temp.file, { calls: 1_000, days: 1, seed: 6, end: END - 3_600 * 12 });
      const db = openSqlite(temp.file);
      try {
        assert.equal((db.prepare('SELECT count(*) AS n FROM calls').get() as { n: number }).n, SMALL.calls + 1_000);
        const { stored, recomputed } = await storedAndRecomputed(db);
        assert.deepEqual(stored, recomputed);
      } finally {
        db.close();
      }
    } finally {
      temp.cleanup();
    }
  });

  it('when seeded with the bulk-load tactics, then the calls and rollups are exactly those of a plain seed', () => {
    const fast = seeded(SMALL, undefined, (db) => ({ calls: callRows(db), rollups: rollupRows(db) }));
    const plain = seeded(SMALL, PLAIN, (db) => ({ calls: callRows(db), rollups: rollupRows(db) }));
    const mainMakesCalls = seeded(SMALL, { generateInWorker: false }, (db) => ({ calls: callRows(db), rollups: rollupRows(db) }));
    assert.equal(fast.calls.length, SMALL.calls);
    assert.deepEqual(fast, plain);
    assert.deepEqual(mainMakesCalls, plain);
  });

  it('when seeded in many small chunks (the worker runs ahead and its rollup backlog fills up), then the calls and rollups are those of a plain seed', () => {
    const read = (db: SqliteDatabase) => ({ calls: callRows(db), rollups: rollupRows(db) });
    // About 60 calls an hour: one chunk per hour, 72 chunks, more than SEED_ROLLUP_BACKLOG_CHUNKS.
    const chunked = seeded(SMALL, { chunkCalls: 50 }, read);
    assert.ok(72 > SEED_ROLLUP_BACKLOG_CHUNKS + SEED_CALLS_AHEAD);
    assert.deepEqual(chunked, seeded(SMALL, PLAIN, read));
  });

  it('when a database is seeded, then each stored call is the generated call, in generation order', () => {
    const calls = seeded(SMALL, undefined, (db) => callRows(db)) as Array<Record<string, unknown>>;
    const generated = [...generateSeedHours(SMALL)].flat();
    assert.equal(calls.length, generated.length);
    generated.forEach((g, i) => {
      const row = calls[i] as Record<string, unknown>;
      assert.equal(row.id, i + 1);
      for (const key of Object.keys(g) as Array<keyof typeof g>) assert.equal(row[key], g[key], `call ${i} ${key}`);
      assert.equal(row.content_hash, `seed:${g.sid}`);
      assert.equal(row.rel_code, g.disconnect_reason);
      assert.equal(row.received_at, g.end_time * 1000);
    });
  });

  it('when a seed into an empty database ends, then WAL, synchronous=FULL and every index of calls are back', () => {
    const state = seeded(SMALL, undefined, (db) => ({
      journal: db.pragma('journal_mode', { simple: true }),
      indexes: (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name),
      integrity: db.pragma('integrity_check', { simple: true }),
    }));
    assert.deepEqual(state, {
      journal: 'wal',
      indexes: ['calls_end_time', 'calls_from_user', 'calls_setup_time', 'calls_spill', 'calls_to_user', 'sqlite_autoindex_calls_1'],
      integrity: 'ok',
    });
  });
});
