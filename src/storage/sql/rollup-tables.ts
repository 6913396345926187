import type { SlotGrain } from '../../domain/stats/hour-slot.js';

/**
 * Where each grain's rollups live: hourly rows in call_rollups (migration 2), quarter-hour
 * rows in call_rollups_q (migration 9, same columns), each with its own stale-peak marks.
 */
export function rollupTableOf(grain: SlotGrain): 'call_rollups' | 'call_rollups_q' {
  return grain.name === 'hour' ? 'call_rollups' : 'call_rollups_q';
}

/** The stale-peak marks of a grain's rollups (src/storage/sql/stale-peaks.ts). */
export function staleTableOf(grain: SlotGrain): 'rollup_stale_peaks' | 'rollup_stale_peaks_q' {
  return grain.name === 'hour' ? 'rollup_stale_peaks' : 'rollup_stale_peaks_q';
}

/**
 * The first key of the PostgreSQL advisory locks that serialize the writes to one hour's
 * rollups ('ST'; the second key is the hour's number): ingest, refresh and retention take
 * them in ascending order.
 */
export const ROLLUP_LOCK_CLASS = 0x5354;
