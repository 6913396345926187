import { type DataStep, MIGRATIONS, schemaMigrationsSql } from '../sql/migrations.js';
import type { SqlDialect } from '../sql/sql-dialect.js';
import { buildQuarterRollupsSync } from '../sql/quarter-rollup-build.js';
import { buildBlocksSync } from '../sql/rollup-blocks.js';
import { openSqlite } from './open-sqlite.js';
import { mergeSidCaseSqlite } from './sid-case.js';
import { createSqliteExecutor } from './sql-step-runner.js';
import { rebuildLifecycleRollups } from '../sql/lifecycle-rollups.js';
import { driveSync } from '../sql/sql-steps.js';
import type { SqliteDatabase } from './sqlite-driver.js';

/** SQLite's side of the migrations: one INTEGER type for every width, rowid ids. */
export const SQLITE_DIALECT: SqlDialect = {
  name: 'sqlite',
  idColumn: 'INTEGER PRIMARY KEY',
  int64: 'INTEGER',
  int32: 'INTEGER',
  withoutRowid: ' WITHOUT ROWID',
};

const DATA_STEPS: Record<DataStep, (db: SqliteDatabase) => void> = {
  'merge-sid-case': mergeSidCaseSqlite,
  'build-quarter-rollups-and-blocks': (db) => {
    const prepared = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
    const statement = (text: string) => prepared.get(text) ?? prepared.set(text, db.prepare(text)).get(text) as ReturnType<SqliteDatabase['prepare']>;
    const all = (text: string, params: unknown[]) => statement(text).all(...params) as Array<Record<string, unknown>>;
    const run = (text: string, params: unknown[]) => statement(text).run(...params);
    buildQuarterRollupsSync(all, run);
    buildBlocksSync(all, run);
  },
  'build-lifecycle-rollups': (db) => {
    driveSync(rebuildLifecycleRollups('sqlite'), createSqliteExecutor(db));
  },
};

/**
 * Applies the migrations this database has not seen yet (up to `lastVersion`), each in
 * its own transaction; returns the versions applied.
 */
export function migrateSqlite(db: SqliteDatabase, now: number, lastVersion = Number.POSITIVE_INFINITY): number[] {
  db.exec(schemaMigrationsSql(SQLITE_DIALECT));
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version),
  );
  const done: number[] = [];
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version) || migration.version > lastVersion) continue;
    db.transaction(() => {
      db.exec(migration.sql(SQLITE_DIALECT));
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

/** Applies pending migrations to the database file, then closes it; returns the versions applied. */
export function migrateSqliteFile(file: string, now: number): number[] {
  const db = openSqlite(file);
  try {
    return migrateSqlite(db, now);
  } finally {
    db.close();
  }
}
