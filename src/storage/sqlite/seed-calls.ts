import { rollupCellsOf } from '../../domain/stats/rollup-cells.js';
import { migrateSqlite, openSqlite } from './open-sqlite.js';
import { createSqliteRollups } from './rollups.js';
import { generateSeedHours, type SeedCall, type SeedOptions } from './seed-generator.js';

/** Calls written per transaction (whole hours are kept together, so a chunk may be larger). */
export const SEED_CHUNK_CALLS = 100_000;

export interface SeedResult {
  calls: number;
  seconds: number;
  /** Of `seconds`, the time spent building the secondary indexes at the end. */
  indexSeconds: number;
}

/**
 * Fills a SQLite database with synthetic calls fast: big transactions of prepared
 * inserts, each chunk's rollups computed in memory and written once. Durability is
 * relaxed while seeding (synchronous=OFF): a crash mid-seed leaves a partial seed.
 * Seeded calls have no raw request (raw_request_id 0) and a content hash of `seed:<sid>`.
 */
export function seedSqliteCalls(file: string, options: SeedOptions, onProgress?: (done: number) => void): SeedResult {
  const started = performance.now();
  const db = openSqlite(file);
  try {
    migrateSqlite(db, Date.now());
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1048576');
    const wasEmpty = db.prepare('SELECT 1 FROM calls LIMIT 1').get() === undefined;
    const rollups = createSqliteRollups(db);
    // Into an empty table, building the secondary indexes once at the end is several
    // times faster than updating them row by row; whatever migrations created is restored.
    const indexes = wasEmpty
      ? (db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' AND sql IS NOT NULL").all() as Array<{ name: string; sql: string }>)
      : [];
    for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
    const insert = db.prepare(`INSERT INTO calls (
      sid, from_service_id, from_user_id, to_service_id, to_user_id, type, stid, app_svr_data,
      setup_time, start_time, end_time, duration, billing_sec, srcip, dstip, terminate,
      disconnect_reason, releaser_type, call_end_reason, releaser, rel_code, rel_code_str,
      user_rel_code, extra, content_hash, received_at, raw_request_id, conflicts,
      outcome, ended_by, reason, reason_source, classifier_version)
      VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, '198.51.100.7', '203.0.113.9', ?, ?, ?, NULL, NULL, ?, ?, NULL, '{}', ?, ?, 0, 0, ?, ?, ?, ?, ?)`);
    const writeChunk = db.transaction((calls: SeedCall[]) => {
      for (const c of calls) {
        insert.run(c.sid, c.from_service_id, c.from_user_id, c.to_service_id, c.to_user_id, c.type,
          c.setup_time, c.start_time, c.end_time, c.duration, c.billing_sec, c.terminate,
          c.disconnect_reason, c.releaser_type, c.disconnect_reason, c.rel_code_str, `seed:${c.sid}`, c.end_time * 1000,
          c.outcome, c.ended_by, c.reason, c.reason_source, c.classifier_version);
      }
      // Whole hours only: in an empty database the chunk's cells are the hours' rollups.
      if (wasEmpty) rollups.insertCells(rollupCellsOf(calls));
      else rollups.refreshSlots(calls.map((c) => c.setup_time));
    });
    let chunk: SeedCall[] = [];
    let done = 0;
    const flush = () => {
      writeChunk.immediate(chunk);
      done += chunk.length;
      chunk = [];
      onProgress?.(done);
    };
    for (const hour of generateSeedHours(options)) {
      for (const call of hour) chunk.push(call);
      if (chunk.length >= SEED_CHUNK_CALLS) flush();
    }
    if (chunk.length > 0) flush();
    const indexStarted = performance.now();
    for (const index of indexes) db.exec(index.sql);
    const indexSeconds = (performance.now() - indexStarted) / 1000;
    db.pragma('synchronous = FULL');
    return { calls: done, seconds: (performance.now() - started) / 1000, indexSeconds };
  } finally {
    db.close();
  }
}
