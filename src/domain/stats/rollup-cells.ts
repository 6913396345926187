import type { StatsCall } from './figures.js';
import { addCallWithKeys, emptyPartial, type PartialFigures } from './partial-figures.js';
import { bucketKey } from './seconds-histogram.js';
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
  type Building = RollupCell & { talking: StatsCall[] };
  const slots = new Map<number, Array<Map<string, Building>>>();
  const out: Building[] = [];
  for (const call of calls) {
    const slot = slotOf(call.setup_time);
    let byDim = slots.get(slot);
    if (byDim === undefined) slots.set(slot, (byDim = ROLLUP_DIMENSIONS.map(() => new Map())));
    const talks = call.start_time > 0 && call.end_time > call.start_time;
    const durationKey = bucketKey(call.duration);
    const ttaKey = call.start_time > 0 ? bucketKey(call.start_time - call.setup_time) : null;
    for (let d = 0; d < ROLLUP_DIMENSIONS.length; d++) {
      const dim = ROLLUP_DIMENSIONS[d] as RollupDimension;
      const value = dimensionValue(call, dim);
      const cells = byDim[d] as Map<string, Building>;
      let cell = cells.get(value);
      if (cell === undefined) {
        cell = { slot, dim, value, partial: emptyPartial(), talking: [] };
        cells.set(value, cell);
        out.push(cell);
      }
      addCallWithKeys(cell.partial, call, durationKey, ttaKey);
      if (talks) cell.talking.push(call);
    }
  }
  return out.map(({ talking, ...cell }) => {
    cell.partial.peak_concurrency = peakConcurrency(talking);
    return cell;
  });
}

/** The exact peak concurrency of each rollup cell, from every talking call set up in one slot. */
export function peaksByCell(talkingCallsOfSlot: Iterable<StatsCall>): Array<{ dim: RollupDimension; value: string; peak: number }> {
  const groups = new Map<string, { dim: RollupDimension; value: string; calls: StatsCall[] }>();
  for (const call of talkingCallsOfSlot) {
    for (const dim of ROLLUP_DIMENSIONS) {
      const value = dimensionValue(call, dim);
      const key = `${dim}\u0000${value}`;
      let group = groups.get(key);
      if (group === undefined) groups.set(key, (group = { dim, value, calls: [] }));
      group.calls.push(call);
    }
  }
  return [...groups.values()].map(({ dim, value, calls }) => ({ dim, value, peak: peakConcurrency(calls) }));
}
