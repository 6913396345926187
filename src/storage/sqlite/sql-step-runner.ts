import { driveSync, type SqlStepRunner, type SqlSteps } from '../sql/sql-steps.js';
import type { SqliteDatabase } from './sqlite-driver.js';

/**
 * Runs maintenance steps on a SQLite connection, each call one IMMEDIATE transaction run
 * synchronously: callbacks recorded on the same connection wait for it, never interleave.
 */
export function createSqliteStepRunner(db: SqliteDatabase): SqlStepRunner {
  const run = db.transaction((steps: SqlSteps<unknown>) =>
    driveSync(steps, ({ sql, params }) => {
      const statement = db.prepare(sql);
      if (statement.reader) return { rows: statement.all(...params) as Array<Record<string, unknown>>, changes: 0 };
      return { rows: [], changes: statement.run(...params).changes };
    }),
  );
  return {
    dialect: 'sqlite',
    async transaction<T>(steps: () => SqlSteps<T>): Promise<T> {
      return run.immediate(steps()) as T;
    },
  };
}
