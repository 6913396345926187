import { type StatsCall } from './figures.js';
import { addCall, emptyPartial, type PartialFigures } from './partial-figures.js';
import { peakConcurrency } from './peak-concurrency.js';

/** Width of one rollup slot, in seconds: one UTC hour. */
export const ROLLUP_SLOT_SEC = 3_600;

/** The dimensions rollups are kept for; `all` has the single value ''. */
export const ROLLUP_DIMENSIONS = [
  'all', 'outcome', 'reason', 'terminate', 'ended_by', 'type', 'from_service_id', 'to_service_id',
] as const;
export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];

/** The figures of the calls set up in one slot that share one value of one dimension. */
export interface RollupCell {
  /** Unix seconds of the slot's start (a multiple of ROLLUP_SLOT_SEC). */
  slot: number;
  dim: RollupDimension;
  /** The dimension's value as text (`terminate` too); '' for `all`. */
  value: string;
  partial: PartialFigures;
}

/** The slot (start, Unix seconds) a setup time falls in. */
export function slotOf(seconds: number): number {
  return Math.floor(seconds / ROLLUP_SLOT_SEC) * ROLLUP_SLOT_SEC;
}

/** A call's value for a rollup dimension, as text. */
export function dimensionValue(call: StatsCall, dim: RollupDimension): string {
  return dim === 'all' ? '' : String(call[dim]);
}

/**
 * Every rollup cell of a set of calls (by setup_time). Each cell's peak_concurrency is
 * exact for its own calls, so pass *all* calls of every slot touched (a whole slot).
 */
export function rollupCellsOf(calls: Iterable<StatsCall>): RollupCell[] {
  const cells = new Map<string, RollupCell & { calls: StatsCall[] }>();
  for (const call of calls) {
    const slot = slotOf(call.setup_time);
    for (const dim of ROLLUP_DIMENSIONS) {
      const value = dimensionValue(call, dim);
      const key = `${slot}\u0000${dim}\u0000${value}`;
      let cell = cells.get(key);
      if (cell === undefined) {
        cell = { slot, dim, value, partial: emptyPartial(), calls: [] };
        cells.set(key, cell);
      }
      addCall(cell.partial, call);
      if (call.start_time > 0 && call.end_time > call.start_time) cell.calls.push(call);
    }
  }
  return [...cells.values()].map(({ calls: talking, ...cell }) => {
    cell.partial.peak_concurrency = peakConcurrency(talking);
    return cell;
  });
}
