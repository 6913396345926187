import { driveSync, type SqlResult, type SqlStatement, type SqlStepRunner, type SqlSteps } from '../sql/sql-steps.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-driver.js';
import { withoutFsync } from './without-fsync.js';

/** Prepared statements kept per connection (IN lists of every length are distinct texts). */
const MAX_PREPARED_STATEMENTS = 256;

/**
 * Runs maintenance steps on a SQLite connection, each call one IMMEDIATE transaction run
 * synchronously: callbacks recorded on the same connection wait for it, never interleave.
 */
export function createSqliteStepRunner(db: SqliteDatabase): SqlStepRunner {
  const execute = createSqliteExecutor(db);
  const run = db.transaction((steps: SqlSteps<unknown>) => driveSync(steps, execute));
  return {
    dialect: 'sqlite',
    async transaction<T>(steps: () => SqlSteps<T>, options: { durable?: boolean } = {}): Promise<T> {
      if (options.durable !== false) return run.immediate(steps()) as T;
      return withoutFsync(db, () => run.immediate(steps()) as T);
    },
  };
}

/**
 * Runs one statement of steps on a connection, inside whatever transaction is open there
 * (the callback recorder's, a migration's). A batch repeats the same few statements
 * hundreds of times: each text is prepared once.
 */
export function createSqliteExecutor(db: SqliteDatabase): (statement: SqlStatement) => SqlResult {
  const prepared = new Map<string, SqliteStatement>();
  const prepare = (sql: string): SqliteStatement => {
    let statement = prepared.get(sql);
    if (statement === undefined) {
      if (prepared.size >= MAX_PREPARED_STATEMENTS) prepared.clear();
      prepared.set(sql, (statement = db.prepare(sql)));
    }
    return statement;
  };
  return ({ sql, params }) => {
    const statement = prepare(sql);
    if (statement.reader) return { rows: statement.all(...params) as Array<Record<string, unknown>>, changes: 0 };
    return { rows: [], changes: statement.run(...params).changes };
  };
}
