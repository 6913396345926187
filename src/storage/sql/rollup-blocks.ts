import { emptyPartial, type PartialFigures } from '../../domain/stats/partial-figures.js';
import { ROLLUP_DIMENSIONS, slotOf } from '../../domain/stats/rollup-cells.js';
import { histogramToJson, mergeHistogramJson } from '../../domain/stats/seconds-histogram.js';
import { BLOCK_WIDTHS } from '../../domain/stats/window-pieces.js';
import { addRowSums, ROLLUP_SUM_COLUMNS } from './rollup-rows.js';
import type { RunSql } from './rollup-refresh.js';

const DAY_SEC = 86_400;
const [THREE_HOURS] = BLOCK_WIDTHS;
const DIMS = ROLLUP_DIMENSIONS.map((d) => `'${d}'`).join(', ');
const BLOCK_COLUMNS = ['slot', 'width', 'dim', 'value', ...ROLLUP_SUM_COLUMNS, 'duration_hist', 'tta_hist'] as const;

/**
 * Coarse blocks (migration 9, table call_rollup_blocks): the counts, sums and histograms
 * of 3-hour and whole-UTC-day blocks of the hourly rows, so that a long window merges a
 * few blocks instead of hundreds of hours. They hold no peaks (peaks are read from the
 * hourly or quarter-hour reach vectors, small rows) and they are derived, never written
 * at ingest: every change of an hour's rows marks its blocks in rollup_stale_blocks (one
 * INSERT per block per commit), and a query rebuilds the stale blocks it is about to read
 * (3-hour blocks from hours, then days from 3-hour blocks). Portable SQL, `?` placeholders.
 */
export const BLOCK_SQL = {
  markStale: 'INSERT INTO rollup_stale_blocks (width, slot) VALUES (?, ?) ON CONFLICT (width, slot) DO NOTHING',
  /** Every block holding rows in a range (a rebuild may leave an hour without rows). */
  markExisting: `INSERT INTO rollup_stale_blocks (width, slot) SELECT DISTINCT width, slot FROM call_rollup_blocks
    WHERE slot >= ? AND slot < ? ON CONFLICT (width, slot) DO NOTHING`,
  /** Every block of every hour that has rows (migration 9, seed). */
  markAll: BLOCK_WIDTHS.map((w) => `INSERT INTO rollup_stale_blocks (width, slot)
    SELECT DISTINCT ${w}, slot - slot % ${w} FROM call_rollups WHERE dim = 'all' ON CONFLICT (width, slot) DO NOTHING`),
  selectStale: 'SELECT width, slot FROM rollup_stale_blocks WHERE slot >= ? AND slot < ? ORDER BY width, slot',
  clearStale: 'DELETE FROM rollup_stale_blocks WHERE width = ? AND slot = ?',
  selectHours: `SELECT dim, value, ${ROLLUP_SUM_COLUMNS.join(', ')}, duration_hist, tta_hist FROM call_rollups
    WHERE dim IN (${DIMS}) AND slot >= ? AND slot < ?`,
  selectBlocks: `SELECT dim, value, ${ROLLUP_SUM_COLUMNS.join(', ')}, duration_hist, tta_hist FROM call_rollup_blocks
    WHERE dim IN (${DIMS}) AND width = ? AND slot >= ? AND slot < ?`,
  deleteBlock: `DELETE FROM call_rollup_blocks WHERE dim IN (${DIMS}) AND width = ? AND slot = ?`,
  insertBlock: `INSERT INTO call_rollup_blocks (${BLOCK_COLUMNS.join(', ')}) VALUES (${BLOCK_COLUMNS.map(() => '?').join(', ')})
    ON CONFLICT (dim, width, slot, value) DO UPDATE SET ${BLOCK_COLUMNS.slice(4).map((c) => `${c} = excluded.${c}`).join(', ')}`,
} as const;

/** The stale marks for a change to the hourly rows of these hour slots. */
export function blockMarks(hours: Iterable<number>): Array<[number, number]> {
  const marks = new Map<string, [number, number]>();
  for (const hour of hours) for (const w of BLOCK_WIDTHS) {
    const slot = slotOf(hour, { name: 'hour', sec: w, reachSlots: 1 });
    marks.set(`${w}:${slot}`, [w, slot]);
  }
  return [...marks.values()];
}

/** The range of stale marks to rebuild before reading [from, to): whole days, so that a day's 3-hour blocks come first. */
export function staleBlockRange(from: number, to: number): [number, number] {
  return [Math.floor(from / DAY_SEC) * DAY_SEC, Math.ceil(to / DAY_SEC) * DAY_SEC];
}

/** The statements that rebuild one block from the rows below it (hours for 3-hour blocks, 3-hour blocks for days). */
function sourceOf(width: number, slot: number): [string, unknown[]] {
  return width === THREE_HOURS ? [BLOCK_SQL.selectHours, [slot, slot + width]] : [BLOCK_SQL.selectBlocks, [THREE_HOURS, slot, slot + width]];
}

/** The block's rows, merged from its source rows per dimension value. */
function blockRows(width: number, slot: number, source: Array<Record<string, unknown>>): unknown[][] {
  const merged = new Map<string, { dim: string; value: string; p: PartialFigures }>();
  for (const row of source) {
    const key = `${row.dim}\u0000${row.value}`;
    let m = merged.get(key);
    if (m === undefined) merged.set(key, (m = { dim: String(row.dim), value: String(row.value), p: emptyPartial() }));
    addRowSums(m.p, row as Record<(typeof ROLLUP_SUM_COLUMNS)[number], unknown>);
    mergeHistogramJson(m.p.duration_hist, row.duration_hist as string);
    mergeHistogramJson(m.p.tta_hist, row.tta_hist as string);
  }
  return [...merged.values()].map(({ dim, value, p }) => {
    const o = p.outcomes;
    return [
      slot, width, dim, value, o.completed, o.dropped, o.canceled, o.rejected, o.busy, o.no_answer, o.failed,
      p.duration_sum, p.billing_sum, p.answered_duration_sum, p.short_calls, histogramToJson(p.duration_hist), histogramToJson(p.tta_hist),
    ];
  });
}

/**
 * Rebuilds the stale blocks of [from, to) (widened to whole days) with a synchronous runner
 * (SQLite, inside the caller's transaction). The mark is cleared before the source rows
 * are read: a commit that changes them afterwards marks the block again.
 */
export function refreshStaleBlocksSync(all: RunSql<Array<Record<string, unknown>>>, run: RunSql<unknown>, from: number, to: number): number {
  const stale = all(BLOCK_SQL.selectStale, staleBlockRange(from, to));
  for (const { width, slot } of stale) {
    const [w, s] = [Number(width), Number(slot)];
    run(BLOCK_SQL.clearStale, [w, s]);
    const [text, params] = sourceOf(w, s);
    const rows = blockRows(w, s, all(text, params));
    run(BLOCK_SQL.deleteBlock, [w, s]);
    for (const values of rows) run(BLOCK_SQL.insertBlock, values);
  }
  return stale.length;
}

/** The same with an async runner (PostgreSQL), one block per call of `inTransaction`. */
export async function refreshStaleBlocksAsync(
  run: RunSql<Promise<Array<Record<string, unknown>>>>,
  inTransaction: (work: () => Promise<void>) => Promise<void>,
  from: number,
  to: number,
): Promise<number> {
  const stale = await run(BLOCK_SQL.selectStale, staleBlockRange(from, to));
  for (const { width, slot } of stale) {
    const [w, s] = [Number(width), Number(slot)];
    await inTransaction(async () => {
      // The DELETE of the mark waits for a commit marking it again, and that commit's rows are then read.
      await run(BLOCK_SQL.clearStale, [w, s]);
      const [text, params] = sourceOf(w, s);
      const rows = blockRows(w, s, await run(text, params));
      await run(BLOCK_SQL.deleteBlock, [w, s]);
      for (const values of rows) await run(BLOCK_SQL.insertBlock, values);
    });
  }
  return stale.length;
}

/** Builds every block from the hourly rows (migration 9, seed), inside the caller's transaction. */
export function buildBlocksSync(all: RunSql<Array<Record<string, unknown>>>, run: RunSql<unknown>): void {
  run('DELETE FROM call_rollup_blocks', []);
  for (const text of BLOCK_SQL.markAll) run(text, []);
  refreshStaleBlocksSync(all, run, 0, Number.MAX_SAFE_INTEGER);
}

/** The same with an async runner (PostgreSQL), inside the caller's transaction. */
export async function buildBlocksAsync(run: RunSql<Promise<Array<Record<string, unknown>>>>): Promise<void> {
  await run('DELETE FROM call_rollup_blocks', []);
  for (const text of BLOCK_SQL.markAll) await run(text, []);
  await refreshStaleBlocksAsync(run, (work) => work(), 0, Number.MAX_SAFE_INTEGER);
}
