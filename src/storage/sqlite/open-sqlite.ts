import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SqliteDatabase } from './sqlite-driver.js';
import { type DataStep, SQLITE_MIGRATIONS } from './migrations.js';
import { mergeSidCaseSqlite } from './sid-case.js';

/** How long a writer waits for another process's lock before failing, in milliseconds. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens (creating if needed) a SQLite database for durable ingest: WAL journal with
 * synchronous=FULL, so a committed transaction survives a crash or power loss.
 */
export function openSqlite(file: string): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file) as unknown as SqliteDatabase;
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  db.pragma('foreign_keys = ON');
  db.pragma('cache_size = -65536');
  return db;
}

const DATA_STEPS: Record<DataStep, (db: SqliteDatabase) => void> = { 'merge-sid-case': mergeSidCaseSqlite };

/** Applies the migrations this database has not seen yet, each in its own transaction. */
export function migrateSqlite(db: SqliteDatabase, now: number): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version),
  );
  const done: number[] = [];
  for (const migration of SQLITE_MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      if (migration.dataStep !== undefined) DATA_STEPS[migration.dataStep](db);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        now,
      );
    }).immediate();
    done.push(migration.version);
  }
  return done;
}
