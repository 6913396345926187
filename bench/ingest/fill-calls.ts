import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { classificationColumnsOf } from '../../src/domain/classify/stored-classification.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { validCallEvent } from '../../test/fixtures/callback-fixture.js';

/** Rows per transaction while filling. */
const FILL_CHUNK_ROWS = 50_000;

/**
 * Fills a fresh SQLite database with `count` calls (random-UUID sids, like LINE Planet's),
 * fast: one bulk INSERT per chunk with synchronous=OFF. The schema comes from the real
 * migrations, so the benchmark's server then writes into exactly the production layout.
 * Rows carry the current classifier version: outdated rows would make the server
 * reclassify all of them in the background, and the benchmark would measure that.
 */
export function fillCalls(file: string, count: number): void {
  const store = createSqliteStore(file);
  void store.close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insert = db.prepare(`INSERT INTO calls (
    sid, from_service_id, from_user_id, to_service_id, to_user_id, type, stid, app_svr_data,
    setup_time, start_time, end_time, duration, billing_sec, srcip, dstip, terminate,
    disconnect_reason, releaser_type, call_end_reason, releaser, rel_code, rel_code_str,
    user_rel_code, extra, content_hash, received_at, raw_request_id, conflicts,
    outcome, ended_by, reason, reason_source, classifier_version)
    VALUES (?, 'linecorp.com', ?, 'linecorp.com', ?, 'V', NULL, NULL, ?, ?, ?, ?, ?, '1.2.3.4', '2001:db8::1', 16,
    1001, 2, NULL, NULL, 1, 'NORMAL', NULL, '{}', ?, ?, 0, 0, ?, ?, ?, ?, ?)`);
  // Every filled call is a completed call ended normally by the caller, classified as the server would.
  const c = classificationColumnsOf(validCallEvent());
  const fill = db.transaction((rows: number) => {
    for (let i = 0; i < rows; i += 1) {
      const setup = 1_700_000_000 + Math.floor(Math.random() * 31_536_000);
      const duration = Math.floor(Math.random() * 600);
      insert.run(randomUUID(), `u${Math.floor(Math.random() * 10_000)}`, `u${Math.floor(Math.random() * 10_000)}`,
        setup, setup + 5, setup + 5 + duration, duration, duration, randomUUID(), setup * 1000,
        c.outcome, c.ended_by, c.reason, c.reason_source, c.classifier_version);
    }
  });
  for (let done = 0; done < count; done += FILL_CHUNK_ROWS) fill(Math.min(FILL_CHUNK_ROWS, count - done));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
