import type { SqliteDatabase } from './sqlite-driver.js';

/**
 * Runs a synchronous write on a connection under synchronous=NORMAL, then restores FULL.
 * With WAL, such a commit survives a killed process and is only lost with the machine
 * (power, kernel) until the WAL file is next flushed: by the next FULL commit, or by the
 * ingest path's off-loop sync (wal-sync.ts), which flushes every write before it. Nothing
 * else runs on the connection in between: better-sqlite3 is synchronous.
 */
export function withoutFsync<T>(db: SqliteDatabase, write: () => T): T {
  db.pragma('synchronous = NORMAL');
  try {
    return write();
  } finally {
    db.pragma('synchronous = FULL');
  }
}
