import type pg from 'pg';
import { driveAsync, numberedPlaceholders, type SqlStepRunner, type SqlSteps } from '../sql/sql-steps.js';

/** Runs maintenance steps on PostgreSQL, each call one transaction on one pooled client. */
export function createPostgresStepRunner(pool: pg.Pool): SqlStepRunner {
  return {
    dialect: 'postgres',
    async transaction<T>(steps: () => SqlSteps<T>, options: { durable?: boolean } = {}): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        if (options.durable === false) await client.query('SET LOCAL synchronous_commit = off');
        const result = await runStepsOnClient(client, steps());
        await client.query('COMMIT');
        return result;
      } catch (error) {
        broken = error as Error;
        await client.query('ROLLBACK').then(() => (broken = undefined), () => undefined);
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}

/** Runs steps on a client inside the caller's transaction (the callback recorder, a migration). */
export function runStepsOnClient<T>(client: { query(text: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount?: number | null }> }, steps: SqlSteps<T>): Promise<T> {
  return driveAsync(steps, async ({ sql, params }) => {
    const answer = await client.query(numberedPlaceholders(sql), params as unknown[]);
    return { rows: answer.rows as Array<Record<string, unknown>>, changes: answer.rowCount ?? 0 };
  });
}
