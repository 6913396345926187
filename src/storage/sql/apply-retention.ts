import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { retentionCutoffs } from '../../domain/privacy/retention-policy.js';
import type { RetentionReport, RetentionRunOptions } from '../port.js';
import { PERSONAL_DATA_PLACES } from './personal-data.js';
import type { BatchOutcome } from './retention-steps.js';
import type { SqlStepRunner, SqlSteps } from './sql-steps.js';

/** Rows per retention transaction by default: each batch holds the write lock a few milliseconds. */
export const DEFAULT_RETENTION_BATCH_ROWS = 250;
/**
 * The longest a retention transaction should take, in ms: a slower one halves the rows of
 * the next (down to MIN_ADAPTIVE_BATCH_ROWS), a much faster one doubles them (up to the
 * configured size). On SQLite a transaction holds the event loop, so this bounds how long
 * callbacks wait for retention on a busy machine too.
 */
export const RETENTION_BATCH_TARGET_MS = 20;
const MIN_ADAPTIVE_BATCH_ROWS = 10;

/**
 * Applies a retention policy to every place of PERSONAL_DATA_PLACES: removals first, then
 * IP truncation; each batch is one transaction, and the event loop runs between batches
 * so that ingest is never held up for longer than one batch. `beforeRemovingCalls` runs
 * first when calls will go (the adapters make old rollup peaks exact while calls remain).
 */
export async function applyRetention(
  runner: SqlStepRunner,
  options: RetentionRunOptions,
  hooks: { beforeRemovingCalls?: (beforeSec: number) => Promise<void> } = {},
): Promise<RetentionReport> {
  const cutoffs = retentionCutoffs(options.policy, options.now);
  const size = options.batchSize ?? DEFAULT_RETENTION_BATCH_ROWS;
  const dryRun = options.dryRun === true;
  const report: RetentionReport = { dryRun, removed: {}, ipsTruncated: {}, longestBatchMs: 0 };
  const add = (into: Record<string, number>, counts: Record<string, number>) => {
    for (const [table, n] of Object.entries(counts)) into[table] = (into[table] ?? 0) + n;
  };
  const inBatches = async (batch: (rows: number) => SqlSteps<BatchOutcome>, into: Record<string, number>) => {
    let rows = size;
    for (;;) {
      if (options.signal?.aborted === true) return;
      const started = performance.now();
      const outcome = await runner.transaction(() => batch(rows), { durable: false });
      const took = performance.now() - started;
      report.longestBatchMs = Math.max(report.longestBatchMs, took);
      if (took > RETENTION_BATCH_TARGET_MS) rows = Math.max(MIN_ADAPTIVE_BATCH_ROWS, Math.floor(rows / 2));
      else if (took < RETENTION_BATCH_TARGET_MS / 4) rows = Math.min(size, rows * 2);
      add(into, outcome.counts);
      if (!outcome.more) return;
      await yieldToEventLoop();
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
    if (place.table === 'calls') await hooks.beforeRemovingCalls?.(cutoff);
    await inBatches((rows) => retention.removeBatch(cutoff, rows), report.removed);
  }
  const ipsBefore = cutoffs.ipsBeforeMs;
  if (ipsBefore !== null) {
    for (const place of PERSONAL_DATA_PLACES) {
      const truncate = place.truncateIps;
      if (truncate === undefined) continue;
      if (dryRun) add(report.ipsTruncated, { [place.table]: await runner.transaction(() => truncate.count(ipsBefore)) });
      else await inBatches((rows) => truncate.batch(ipsBefore, rows), report.ipsTruncated);
    }
  }
  return report;
}
