import type { Figures, StatsCall } from './figures.js';
import { emptyPartial, finishFigures, mergePartial, type PartialFigures } from './partial-figures.js';
import type { RollupCell } from './rollup-cells.js';
import type { BreakdownField } from './stats-query.js';
import { summarizeCalls } from './summarize-calls.js';

/** Index of the bucket holding `t` among boundaries [b0..bn], or -1 when outside. */
export function bucketIndex(boundaries: readonly number[], t: number): number {
  let lo = 0;
  let hi = boundaries.length - 2;
  if (hi < 0 || t < (boundaries[0] as number) || t >= (boundaries[hi + 1] as number)) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((boundaries[mid] as number) <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Partials taken together: a lone one as it is (the read side gives one cell per bucket or
 * value, so its histograms are not copied again), several merged into a new one.
 */
function together(partials: readonly PartialFigures[]): PartialFigures {
  if (partials.length === 1) return partials[0] as PartialFigures;
  const total = emptyPartial();
  for (const p of partials) mergePartial(total, p);
  return total;
}

/** The figures of a set of rollup cells taken together. */
export function figuresFromCells(cells: Iterable<RollupCell>): Figures {
  return finishFigures(together([...cells].map((c) => c.partial)));
}

/** Figures per bucket from rollup cells (whose slots lie inside the buckets). */
export function timeseriesFromCells(cells: Iterable<RollupCell>, boundaries: readonly number[]): Figures[] {
  const parts: PartialFigures[][] = boundaries.slice(1).map(() => []);
  for (const cell of cells) {
    const i = bucketIndex(boundaries, cell.slot);
    if (i >= 0) parts[i]?.push(cell.partial);
  }
  return parts.map((p) => finishFigures(together(p)));
}

/** Figures per bucket from calls, bucketed by `timeField`. */
export function timeseriesFromCalls(calls: readonly StatsCall[], boundaries: readonly number[], timeField: 'setup_time' | 'end_time'): Figures[] {
  const groups: StatsCall[][] = boundaries.slice(1).map(() => []);
  for (const call of calls) {
    const i = bucketIndex(boundaries, call[timeField]);
    if (i >= 0) groups[i]?.push(call);
  }
  return groups.map(summarizeCalls);
}

/** A breakdown row. */
export type BreakdownItem = { value: string | number | null } & Figures;

/** Figures per value from rollup cells of one dimension, largest attempts first. */
export function breakdownFromCells(cells: Iterable<RollupCell>, numeric: boolean, limit: number): BreakdownItem[] {
  const groups = new Map<string, PartialFigures[]>();
  for (const cell of cells) {
    let p = groups.get(cell.value);
    if (p === undefined) groups.set(cell.value, (p = []));
    p.push(cell.partial);
  }
  const items = [...groups].map(([value, p]) => ({ value: numeric ? Number(value) : value, ...finishFigures(together(p)) }));
  return topItems(items, limit);
}

/** The value of a call for a breakdown field. */
export function breakdownValue(call: StatsCall, by: BreakdownField): string | number {
  if (by === 'caller') return call.from_user_id;
  if (by === 'callee') return call.to_user_id;
  return call[by];
}

/** Figures per value from calls, largest attempts first. */
export function breakdownFromCalls(calls: readonly StatsCall[], by: BreakdownField, limit: number): BreakdownItem[] {
  const groups = new Map<string | number, StatsCall[]>();
  for (const call of calls) {
    const value = breakdownValue(call, by);
    let g = groups.get(value);
    if (g === undefined) groups.set(value, (g = []));
    g.push(call);
  }
  // Rank by attempts first, so that only the top `limit` groups are summarized.
  const ranked = [...groups].sort(([va, a], [vb, b]) => b.length - a.length || compareValues(va, vb)).slice(0, limit);
  return ranked.map(([value, g]) => ({ value, ...summarizeCalls(g) }));
}

function topItems(items: BreakdownItem[], limit: number): BreakdownItem[] {
  return items.sort((a, b) => b.attempts - a.attempts || compareValues(a.value, b.value)).slice(0, limit);
}

function compareValues(a: string | number | null, b: string | number | null): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
