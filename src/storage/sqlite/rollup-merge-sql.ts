import { maxReach } from '../../domain/stats/peak-reach.js';
import { histogramToJson, mergeHistogramJson, type SecondsHistogram } from '../../domain/stats/seconds-histogram.js';
import type { SlotGrain } from '../../domain/stats/rollup-cells.js';
import { rollupTableOf } from '../sql/rollup-tables.js';
import { ROLLUP_COLUMNS, ROLLUP_SUM_COLUMNS, rowReach } from '../sql/rollup-rows.js';
import type { SqliteDatabase } from './sqlite-driver.js';

/** The SQL function merging two histograms' JSON texts (the new cell's first, as mergeNewCells does). */
const MERGE_HISTOGRAMS = 'callevt_merge_histograms';
/** The SQL function giving a row's reach vector with the new calls' peak merged in (as mergeNewCells does). */
const MERGE_REACH = 'callevt_merge_reach';

/**
 * Registers the functions rollupMergeSql's upsert calls, on one connection. They compute
 * what mergeNewCells (src/storage/sql/rollup-add.ts) computes in JavaScript, so that a row
 * is merged inside its INSERT … ON CONFLICT instead of read first and written back: one
 * statement per cell instead of two (the ingest transaction's largest part at small batches).
 */
export function registerRollupMergeFunctions(db: SqliteDatabase): void {
  db.function(MERGE_HISTOGRAMS, { deterministic: true }, (added, stored) => {
    const h: SecondsHistogram = new Map();
    mergeHistogramJson(h, added as string | null);
    mergeHistogramJson(h, stored as string | null);
    return histogramToJson(h);
  });
  db.function(MERGE_REACH, { deterministic: true }, (storedReach, storedPeak, addedPeak) => {
    const reach = rowReach({ peak_reach: storedReach as string, peak_concurrency: Number(storedPeak) });
    return JSON.stringify(maxReach(reach, [Math.max(Number(addedPeak), Number(storedPeak))]));
  });
}

/**
 * The upsert that adds a new cell's figures to its stored row (SQLite, after
 * registerRollupMergeFunctions): counts and sums added, the peak raised, the histograms
 * and reach vector merged. In DO UPDATE, a bare column is the stored row's value.
 */
export function rollupMergeSql(grain: SlotGrain): string {
  let sql = mergeSqlByTable.get(rollupTableOf(grain));
  if (sql === undefined) mergeSqlByTable.set(rollupTableOf(grain), (sql = buildRollupMergeSql(grain)));
  return sql;
}

/** Built once per table: the ingest path asks for it in every transaction. */
const mergeSqlByTable = new Map<string, string>();

function buildRollupMergeSql(grain: SlotGrain): string {
  const sums = [...ROLLUP_SUM_COLUMNS, 'long_calls'].map((c) => `${c} = ${c} + excluded.${c}`);
  return `INSERT INTO ${rollupTableOf(grain)} (${ROLLUP_COLUMNS.join(', ')}) VALUES (${ROLLUP_COLUMNS.map(() => '?').join(', ')})
    ON CONFLICT (dim, slot, value) DO UPDATE SET ${sums.join(', ')},
    peak_concurrency = max(peak_concurrency, excluded.peak_concurrency),
    duration_hist = ${MERGE_HISTOGRAMS}(excluded.duration_hist, duration_hist),
    tta_hist = ${MERGE_HISTOGRAMS}(excluded.tta_hist, tta_hist),
    peak_reach = ${MERGE_REACH}(peak_reach, peak_concurrency, excluded.peak_concurrency)`;
}
