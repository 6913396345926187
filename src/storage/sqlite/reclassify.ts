import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { CallRow } from '../sql/call-row.js';
import { callRowToCall } from '../sql/call-row.js';
import { classificationChanged, classificationOf, reclassifyInBatches } from '../sql/reclassify-batches.js';
import type { ReclassifyOptions, ReclassifyResult, StoredCall, StoredClassification } from '../port.js';
import type { SqliteDatabase } from './sqlite-driver.js';

/**
 * Called inside each batch's transaction with every call whose classification changed,
 * so that tables derived from stored outcomes (statistics rollups) stay exact.
 */
export type SqliteReclassifyHook = (db: SqliteDatabase, changes: ReadonlyArray<{ call: StoredCall; before: StoredClassification }>) => void;

/**
 * Builds the SQLite reclassifier: walks calls by id in batches, each batch one IMMEDIATE
 * transaction, and yields to the event loop between batches so that callbacks keep
 * being recorded while millions of calls are reclassified.
 */
export function createSqliteReclassifier(db: SqliteDatabase, hooks: readonly SqliteReclassifyHook[] = []) {
  const selectBatch = db.prepare(
    'SELECT * FROM calls WHERE id > ? AND classifier_version <> ? ORDER BY id LIMIT ?',
  );
  const update = db.prepare(
    'UPDATE calls SET outcome = ?, ended_by = ?, reason = ?, reason_source = ?, classifier_version = ? WHERE id = ?',
  );
  const runBatch = db.transaction((afterId: number, options: ReclassifyOptions, size: number) => {
    const rows = selectBatch.all(afterId, options.classifierVersion, size) as CallRow[];
    const changes: Array<{ call: StoredCall; before: StoredClassification }> = [];
    for (const row of rows) {
      const call = callRowToCall(row);
      const next = options.classify(call);
      update.run(next.outcome, next.ended_by, next.reason, next.reason_source, next.classifier_version, row.id);
      if (classificationChanged(call, next)) changes.push({ call: { ...call, ...next }, before: classificationOf(call) });
    }
    for (const hook of hooks) if (changes.length > 0) hook(db, changes);
    return { count: rows.length, changed: changes.length, lastId: rows.length === 0 ? afterId : Number(rows.at(-1)?.id) };
  });

  return (options: ReclassifyOptions): Promise<ReclassifyResult> =>
    reclassifyInBatches(options, (afterId, o, size) => runBatch.immediate(afterId, o, size), () => yieldToEventLoop());
}
