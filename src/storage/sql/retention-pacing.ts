/**
 * How the retention job paces its transactions (apply-retention.ts). On SQLite a
 * transaction runs on the event loop, so its length is how long callbacks wait; each
 * batch is sized from the last one's measured time so that it stays near
 * RETENTION_BATCH_TARGET_MS, leaving room under the 50 ms ingest bound for an ingest commit
 * in the same turn and for the machine's own stalls (bench/README.md, "Retention under ingest").
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** The time one retention transaction aims at, in ms. */
export const RETENTION_BATCH_TARGET_MS = 10;
/** The fewest rows a batch shrinks to. */
export const MIN_ADAPTIVE_BATCH_ROWS = 10;
/** Rows of the first batch of each step: small, then grown from measured times. */
export const FIRST_BATCH_ROWS = 50;

/**
 * The rows of the next batch: the last one's rows scaled to the target by its measured
 * time, at most doubled at once (a quick batch on a cold cache says little), at least
 * MIN_ADAPTIVE_BATCH_ROWS, never more than the configured `maxRows`.
 * @example nextBatchRows(200, 40, 250) // 50: 200 rows took 40 ms, the target is 10 ms
 */
export function nextBatchRows(rows: number, tookMs: number, maxRows: number): number {
  const scaled = tookMs <= 0 ? rows * 2 : Math.floor((rows * RETENTION_BATCH_TARGET_MS) / tookMs);
  return Math.min(maxRows, Math.max(MIN_ADAPTIVE_BATCH_ROWS, Math.min(rows * 2, scaled)));
}

/**
 * Waits after a transaction as long as it took (so the job uses at most half of the
 * time), letting ingest commit and the disk absorb the batch's pages before the next.
 */
export async function restAfter(tookMs: number): Promise<void> {
  await sleep(Math.max(1, Math.ceil(tookMs)));
}
