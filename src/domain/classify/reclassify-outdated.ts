import type { ClassificationColumns } from './stored-classification.js';
import { classificationColumnsOf } from './stored-classification.js';
import { CLASSIFIER_VERSION } from './release-codes.js';
import type { CallEvent } from '../call-event.js';

/** The part of the storage port reclassification needs (declared here: logic imports no storage). */
export interface ReclassifyingStore {
  reclassifyCalls(options: {
    classifierVersion: number;
    classify: (call: CallEvent) => ClassificationColumns;
    batchSize?: number;
    onProgress?: (done: number) => void;
    signal?: AbortSignal;
  }): Promise<{ reclassified: number; changed: number }>;
}

/**
 * Brings every stored call to the current classifier version. Run on start (in the
 * background) and by `callevt reclassify`; a no-op when every call is current.
 */
export function reclassifyOutdatedCalls(
  store: ReclassifyingStore,
  options: { batchSize?: number; onProgress?: (done: number) => void; signal?: AbortSignal } = {},
): Promise<{ reclassified: number; changed: number }> {
  return store.reclassifyCalls({ ...options, classifierVersion: CLASSIFIER_VERSION, classify: classificationColumnsOf });
}
