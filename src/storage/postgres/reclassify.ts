import type pg from 'pg';
import type { CallRow } from '../sql/call-row.js';
import { callRowToCall } from '../sql/call-row.js';
import { classificationChanged, classificationOf, reclassifyInBatches } from '../sql/reclassify-batches.js';
import type { ReclassifyOptions, ReclassifyResult, StoredCall, StoredClassification } from '../port.js';

/**
 * Called inside each batch's transaction with every call whose classification changed,
 * so that tables derived from stored outcomes (statistics rollups) stay exact.
 */
export type PostgresReclassifyHook = (
  client: pg.PoolClient,
  changes: ReadonlyArray<{ call: StoredCall; before: StoredClassification }>,
) => Promise<void>;

// Locks the batch's rows (SKIP LOCKED is not wanted: every outdated call must be visited).
const SELECT_BATCH = 'SELECT * FROM calls WHERE id > $1 AND classifier_version <> $2 ORDER BY id LIMIT $3 FOR UPDATE';
// One statement per batch: the new values travel as arrays.
const UPDATE_BATCH = `UPDATE calls AS c SET outcome = u.outcome, ended_by = u.ended_by, reason = u.reason,
    reason_source = u.reason_source, classifier_version = u.classifier_version
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])
    AS u(id, outcome, ended_by, reason, reason_source, classifier_version)
  WHERE c.id = u.id`;

/**
 * Reclassifies outdated calls in batches by id, one short transaction each, so that
 * receivers (this process or others) keep recording callbacks meanwhile.
 */
export function createPostgresReclassifier(pool: pg.Pool, hooks: readonly PostgresReclassifyHook[] = []) {
  const runBatch = async (afterId: number, options: ReclassifyOptions, size: number) => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const rows = (await client.query<CallRow>(SELECT_BATCH, [afterId, options.classifierVersion, size])).rows;
      const changes: Array<{ call: StoredCall; before: StoredClassification }> = [];
      const next = rows.map((row) => {
        const call = callRowToCall(row);
        const classification = options.classify(call);
        if (classificationChanged(call, classification)) {
          changes.push({ call: { ...call, ...classification }, before: classificationOf(call) });
        }
        return classification;
      });
      if (rows.length > 0) {
        await client.query(UPDATE_BATCH, [
          rows.map((r) => r.id),
          next.map((c) => c.outcome),
          next.map((c) => c.ended_by),
          next.map((c) => c.reason),
          next.map((c) => c.reason_source),
          next.map((c) => c.classifier_version),
        ]);
      }
      for (const hook of hooks) if (changes.length > 0) await hook(client, changes);
      await client.query('COMMIT');
      return { count: rows.length, changed: changes.length, lastId: rows.length === 0 ? afterId : Number(rows.at(-1)?.id) };
    } catch (error) {
      broken = error as Error;
      await client.query('ROLLBACK').then(() => (broken = undefined), () => undefined);
      throw error;
    } finally {
      client.release(broken);
    }
  };

  return (options: ReclassifyOptions): Promise<ReclassifyResult> => reclassifyInBatches(options, runBatch);
}
