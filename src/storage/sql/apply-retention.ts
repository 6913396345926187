import { retentionCutoffs } from '../../domain/privacy/retention-policy.js';
import { PEAK_REACH_HOURS } from '../../domain/stats/peak-reach.js';
import { ROLLUP_SLOT_SEC } from '../../domain/stats/rollup-cells.js';
import type { RetentionReport, RetentionRunOptions } from '../port.js';
import { PERSONAL_DATA_PLACES } from './personal-data.js';
import { FIRST_BATCH_ROWS, nextBatchRows, restAfter } from './retention-pacing.js';
import type { BatchOutcome } from './retention-steps.js';
import type { SqlStepRunner, SqlSteps } from './sql-steps.js';

/** Rows per retention transaction at most, by default (RETENTION_BATCH_ROWS). */
export const DEFAULT_RETENTION_BATCH_ROWS = 250;

/** What an adapter adds around the portable steps. */
export interface RetentionHooks {
  /**
   * Runs first when calls will go: the adapters make the rollup peaks of the slots before
   * `beforeSec` exact while the calls remain, paced; each removal batch then refreshes
   * again, in its own transaction, the few that a late delivery made stale meanwhile
   * (removeCalls in retention-steps.ts).
   */
  beforeRemovingCalls?: (beforeSec: number) => Promise<void>;
  /** Runs after each committed batch, before the next (SQLite: flushes the batch to disk off the event loop). */
  afterBatch?: () => Promise<void>;
}

/**
 * Applies a retention policy to every place of PERSONAL_DATA_PLACES: removals first, then
 * IP truncation; each batch is one transaction sized to RETENTION_BATCH_TARGET_MS
 * (retention-pacing.ts), and the event loop runs between batches so that ingest is never
 * held up for longer than one batch. The hooks run before calls go and after each batch.
 */
export async function applyRetention(
  runner: SqlStepRunner,
  options: RetentionRunOptions,
  hooks: RetentionHooks = {},
): Promise<RetentionReport> {
  const cutoffs = retentionCutoffs(options.policy, options.now);
  const size = options.batchSize ?? DEFAULT_RETENTION_BATCH_ROWS;
  const dryRun = options.dryRun === true;
  const report: RetentionReport = { dryRun, removed: {}, ipsTruncated: {}, longestBatchMs: 0 };
  const add = (into: Record<string, number>, counts: Record<string, number>) => {
    for (const [table, n] of Object.entries(counts)) into[table] = (into[table] ?? 0) + n;
  };
  const inBatches = async (table: string, batch: (rows: number) => SqlSteps<BatchOutcome>, into: Record<string, number>) => {
    let rows = Math.min(size, FIRST_BATCH_ROWS);
    for (;;) {
      if (options.signal?.aborted === true) return;
      const started = performance.now();
      const outcome = await runner.transaction(() => batch(rows), { durable: false });
      const took = performance.now() - started;
      report.longestBatchMs = Math.max(report.longestBatchMs, took);
      rows = nextBatchRows(rows, took, size);
      add(into, outcome.counts);
      await hooks.afterBatch?.();
      await options.onBatch?.(table);
      if (!outcome.more) return;
      await restAfter(took);
    }
  };

  for (const place of PERSONAL_DATA_PLACES) {
    const cutoff = place.retention?.cutoff(cutoffs) ?? null;
    if (place.retention === undefined || cutoff === null) continue;
    const { retention } = place;
    if (dryRun) {
      add(report.removed, await runner.transaction(() => retention.count(cutoff)));
      continue;
    }
    // The slots whose peaks the calls before the cutoff enter: to PEAK_REACH_HOURS past it.
    if (place.table === 'calls') await hooks.beforeRemovingCalls?.(cutoff + PEAK_REACH_HOURS * ROLLUP_SLOT_SEC);
    await inBatches(place.table, (rows) => retention.removeBatch(cutoff, rows, runner.dialect), report.removed);
  }
  const ipsBefore = cutoffs.ipsBeforeMs;
  if (ipsBefore !== null) {
    for (const place of PERSONAL_DATA_PLACES) {
      const truncate = place.truncateIps;
      if (truncate === undefined) continue;
      if (dryRun) add(report.ipsTruncated, { [place.table]: await runner.transaction(() => truncate.count(ipsBefore)) });
      else await inBatches(place.table, (rows) => truncate.batch(ipsBefore, rows), report.ipsTruncated);
    }
  }
  return report;
}
