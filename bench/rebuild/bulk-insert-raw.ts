import Database from 'better-sqlite3';
import type { RawRequest } from '../../src/storage/port.js';

/** Rows per transaction while filling. */
const FILL_CHUNK_ROWS = 50_000;

/**
 * Bulk-inserts raw requests alone into a SQLite database the store has already migrated:
 * the raw log a rebuild reads, without the tables derived from it. One transaction per
 * FILL_CHUNK_ROWS rows with synchronous=OFF: a bulk load for benchmarks, not acknowledged
 * callbacks; the store reopens the file with its own settings. Returns how many.
 */
export function bulkInsertRawRequests(file: string, raws: Iterable<RawRequest>): number {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const insert = db.prepare(`INSERT INTO raw_requests (received_at, method, path, query, body, content_type, source_ip, result, sid)
      VALUES (?, ?, ?, ?, ?, ?, ?, 'accepted', NULL)`);
    const insertChunk = db.transaction((chunk: RawRequest[]) => {
      for (const r of chunk) insert.run(r.receivedAt, r.method, r.path, r.query, r.body, r.contentType, r.sourceIp);
    });
    let chunk: RawRequest[] = [];
    let count = 0;
    for (const raw of raws) {
      chunk.push(raw);
      if (chunk.length === FILL_CHUNK_ROWS) {
        insertChunk(chunk);
        count += chunk.length;
        chunk = [];
      }
    }
    insertChunk(chunk);
    count += chunk.length;
    db.pragma('wal_checkpoint(TRUNCATE)');
    return count;
  } finally {
    db.close();
  }
}
