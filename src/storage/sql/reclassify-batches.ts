import type { ReclassifyOptions, ReclassifyResult, StoredCall, StoredClassification } from '../port.js';

/** Calls reclassified per transaction by default: short enough that ingest waits only milliseconds. */
export const DEFAULT_RECLASSIFY_BATCH = 2_000;

/** What one batch did: calls visited, calls whose classification changed, the last id visited. */
export interface ReclassifyBatch {
  count: number;
  changed: number;
  lastId: number;
}

/** A call whose stored classification changed, with the one it had (for the rollup hooks). */
export interface ReclassifyChange {
  call: StoredCall;
  before: StoredClassification;
}

/**
 * Walks outdated calls by id, one batch (one transaction, run by the adapter) after
 * another, until a batch comes back short or the caller aborts; `betweenBatches` lets
 * ingest in between.
 */
export async function reclassifyInBatches(
  options: ReclassifyOptions,
  runBatch: (afterId: number, options: ReclassifyOptions, size: number) => ReclassifyBatch | Promise<ReclassifyBatch>,
  betweenBatches: () => Promise<void> = async () => undefined,
): Promise<ReclassifyResult> {
  const size = options.batchSize ?? DEFAULT_RECLASSIFY_BATCH;
  const total: ReclassifyResult = { reclassified: 0, changed: 0 };
  let afterId = 0;
  for (;;) {
    const batch = await runBatch(afterId, options, size);
    total.reclassified += batch.count;
    total.changed += batch.changed;
    if (batch.count > 0) options.onProgress?.(total.reclassified);
    if (batch.count < size || options.signal?.aborted === true) return total;
    afterId = batch.lastId;
    await betweenBatches();
  }
}

/** Only the stored part of a call's classification. */
export function classificationOf(c: StoredClassification): StoredClassification {
  return { outcome: c.outcome, ended_by: c.ended_by, reason: c.reason, reason_source: c.reason_source, classifier_version: c.classifier_version };
}

/** Whether a call's stored classification changes (the classifier version alone does not count). */
export function classificationChanged(a: StoredClassification, b: StoredClassification): boolean {
  return a.outcome !== b.outcome || a.ended_by !== b.ended_by || a.reason !== b.reason || a.reason_source !== b.reason_source;
}
