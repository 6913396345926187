import type { CallStore, StoredRollupRow } from '../../storage/port.js';
import type { ExplainedSlots } from './check-calls.js';
import type { Findings } from './check-findings.js';

/** Hour slots compared per round trip. */
const CHECK_CHUNK_SLOTS = 24;
/** Peak columns: recomputed lazily for stale hours (src/storage/sql/stale-peaks.ts), so compared only where both are fresh. */
const PEAK_COLUMNS = new Set(['peak_concurrency', 'peak_reach', 'long_calls']);

/**
 * Compares the statistics rollups of both sides, a day of hour slots at a time. Rows of
 * hours holding a call that cannot be rebuilt (raw request pruned) are not checkable;
 * those of hours holding a call of an older classifier are reported as classification.
 */
export async function checkRollups(live: CallStore, rebuilt: CallStore, explained: ExplainedSlots, findings: Findings): Promise<void> {
  for (let after = Number.MIN_SAFE_INTEGER; ;) {
    const ours = await live.derivedRows().rollupSlotsAfter(after, CHECK_CHUNK_SLOTS);
    const theirs = await rebuilt.derivedRows().rollupSlotsAfter(after, CHECK_CHUNK_SLOTS);
    if (ours.length === 0 && theirs.length === 0) return;
    // Up to the first slot past which one side may have more: every slot up to it is read on both sides.
    const full = [ours, theirs].filter((s) => s.length === CHECK_CHUNK_SLOTS).map((s) => s.at(-1) as number);
    const upTo = full.length > 0 ? Math.min(...full) : Math.max(ours.at(-1) ?? after, theirs.at(-1) ?? after);
    const a = await live.derivedRows().rollupsInSlots(after, upTo);
    const b = await rebuilt.derivedRows().rollupsInSlots(after, upTo);
    const stale = new Set([...a.stalePeakSlots, ...b.stalePeakSlots]);
    const rebuiltRows = new Map(b.rows.map((r) => [cellKey(r), r]));
    for (const row of a.rows) {
      findings.report.compared.rollupRows++;
      const twin = rebuiltRows.get(cellKey(row));
      rebuiltRows.delete(cellKey(row));
      const detail = twin === undefined ? 'live row not rebuilt' : differingColumns(row, twin, stale.has(row.slot));
      if (detail !== '') report(row, detail, explained, findings);
    }
    for (const row of rebuiltRows.values()) report(row, 'rebuilt row not in the live table', explained, findings);
    after = upTo;
  }
}

function report(row: StoredRollupRow, detail: string, explained: ExplainedSlots, findings: Findings): void {
  const key = `rollup ${new Date(row.slot * 1000).toISOString()} ${row.dim}=${row.value}`;
  if (explained.uncheckableSlots.has(row.slot)) findings.add({ kind: 'not_checkable', key, detail: `${detail} (the hour holds a call whose raw request was pruned)` });
  else if (explained.reclassifiedSlots.has(row.slot)) findings.add({ kind: 'classification', key, detail: `${detail} (the hour holds a call of an older classifier)` });
  else findings.add({ kind: 'rollup', key, detail });
}

function cellKey(row: StoredRollupRow): string {
  return `${row.dim}\u0000${row.slot}\u0000${row.value}`;
}

/**
 * Histograms are stored as [bucket, count, …] pairs in the order buckets first appeared,
 * which depends on how deliveries were grouped into batches: compared as sorted pairs.
 */
const HISTOGRAM_COLUMNS = new Set(['duration_hist', 'tta_hist']);

function comparable(column: string, value: string | number | undefined): string | number | undefined {
  if (!HISTOGRAM_COLUMNS.has(column) || typeof value !== 'string') return value;
  const flat = JSON.parse(value) as number[];
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i] as number, flat[i + 1] as number]);
  return JSON.stringify(pairs.sort((a, b) => a[0] - b[0]));
}

function differingColumns(live: StoredRollupRow, rebuilt: StoredRollupRow, peaksStale: boolean): string {
  return Object.keys(live)
    // Equal text first: normalizing histograms costs a parse, needed only when the text differs.
    .filter((k) => !(peaksStale && PEAK_COLUMNS.has(k)) && live[k] !== rebuilt[k] && comparable(k, live[k]) !== comparable(k, rebuilt[k]))
    .map((k) => `${k}: live ${live[k]}, rebuilt ${rebuilt[k]}`)
    .join('; ');
}
