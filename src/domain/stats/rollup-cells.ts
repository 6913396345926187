import type { StatsCall } from './figures.js';
import { addCallWithKeys, emptyPartial, type PartialFigures } from './partial-figures.js';
import { bucketKey } from './seconds-histogram.js';
import { peakConcurrency } from './peak-concurrency.js';
import { isLongCall, PEAK_REACH_HOURS, peakReach, spillsPastSetupHour, talks } from './peak-reach.js';

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
  /**
   * The hour's reach vector (peak-reach.ts): index 0 is the cell's own peak, index i adds
   * the calls of the i hours before. Exact when computed with the earlier hours' calls
   * (peaksByCell), otherwise a lower bound until the hour's stale mark is refreshed.
   */
  peak_reach: number[];
  /** How many of the cell's calls talk past their setup hour + PEAK_REACH_HOURS. */
  long_calls: number;
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
 * Every rollup cell of a set of calls (by setup_time). Pass *all* calls of every slot
 * touched (whole slots): each cell's own peak is exact for its calls. With `earlier`, the
 * talking calls of the PEAK_REACH_HOURS − 1 hours before the first slot that talk past
 * their setup hour (see carrySpill), the reach vectors are exact too; without it they hold
 * the own peak only.
 */
export function rollupCellsOf(calls: Iterable<StatsCall>, earlier?: readonly StatsCall[]): RollupCell[] {
  type Building = RollupCell & { talking: StatsCall[] };
  const slots = new Map<number, Array<Map<string, Building>>>();
  const talkingBySlot = new Map<number, StatsCall[]>();
  const out: Building[] = [];
  for (const call of calls) {
    const slot = slotOf(call.setup_time);
    let byDim = slots.get(slot);
    if (byDim === undefined) slots.set(slot, (byDim = ROLLUP_DIMENSIONS.map(() => new Map())));
    const talking = talks(call);
    const long = isLongCall(call);
    if (talking) {
      const list = talkingBySlot.get(slot);
      if (list === undefined) talkingBySlot.set(slot, [call]);
      else list.push(call);
    }
    const durationKey = bucketKey(call.duration);
    const ttaKey = call.start_time > 0 ? bucketKey(call.start_time - call.setup_time) : null;
    for (let d = 0; d < ROLLUP_DIMENSIONS.length; d++) {
      const dim = ROLLUP_DIMENSIONS[d] as RollupDimension;
      const value = dimensionValue(call, dim);
      const cells = byDim[d] as Map<string, Building>;
      let cell = cells.get(value);
      if (cell === undefined) {
        cell = { slot, dim, value, partial: emptyPartial(), peak_reach: [0], long_calls: 0, talking: [] };
        cells.set(value, cell);
        out.push(cell);
      }
      addCallWithKeys(cell.partial, call, durationKey, ttaKey);
      if (talking) cell.talking.push(call);
      if (long) cell.long_calls++;
    }
  }
  if (earlier !== undefined) {
    const spill = [...earlier, ...[...talkingBySlot.values()].flat().filter(spillsPastSetupHour)];
    for (const [slot, own] of [...talkingBySlot].sort((a, b) => a[0] - b[0])) {
      const candidates = own.concat(spill.filter((c) => c.setup_time < slot && c.end_time > slot && c.setup_time >= slot - (PEAK_REACH_HOURS - 1) * ROLLUP_SLOT_SEC));
      const bySlot = slots.get(slot) as Array<Map<string, Building>>;
      for (const { dim, value, reach } of peaksByCell(slot, candidates)) {
        const cell = bySlot[ROLLUP_DIMENSIONS.indexOf(dim)]?.get(value);
        if (cell !== undefined) cell.peak_reach = reach;
      }
    }
  }
  return out.map(({ talking, ...cell }) => {
    cell.partial.peak_concurrency = peakConcurrency(talking);
    if (earlier === undefined) cell.peak_reach = [cell.partial.peak_concurrency];
    return cell;
  });
}

/**
 * The calls a later batch of whole slots needs as `earlier` (rollupCellsOf): those of
 * `previous` and `calls` that talk past their setup hour and were set up at most
 * PEAK_REACH_HOURS − 1 hours before `nextSlot`, the first slot of the next batch.
 */
export function carrySpill(previous: readonly StatsCall[], calls: Iterable<StatsCall>, nextSlot: number): StatsCall[] {
  const since = nextSlot - (PEAK_REACH_HOURS - 1) * ROLLUP_SLOT_SEC;
  const out = previous.filter((c) => c.setup_time >= since && c.end_time > since);
  for (const c of calls) if (c.setup_time >= since && spillsPastSetupHour(c)) out.push(c);
  return out;
}

/** The slot after the latest setup time of a batch (carrySpill's `nextSlot` for batches of whole slots in time order). */
export function nextSlotAfter(calls: Iterable<StatsCall>): number {
  let latest = Number.NEGATIVE_INFINITY;
  for (const c of calls) if (c.setup_time > latest) latest = c.setup_time;
  return slotOf(latest) + ROLLUP_SLOT_SEC;
}

/** One cell's exact peak figures for one hour (peaksByCell). */
export interface CellPeaks {
  dim: RollupDimension;
  value: string;
  /** The reach vector; its index 0 is the cell's own peak concurrency. */
  reach: number[];
  long_calls: number;
}

/**
 * The exact peaks of every cell of hour `slot` that holds a call set up in it, from the
 * slot's own talking calls plus the talking calls of the PEAK_REACH_HOURS − 1 hours
 * before that still talk after `slot` starts (others may be passed; they change nothing).
 */
export function peaksByCell(slot: number, talkingCalls: Iterable<StatsCall>): CellPeaks[] {
  const groups = new Map<string, { dim: RollupDimension; value: string; calls: StatsCall[]; own: boolean; long: number }>();
  for (const call of talkingCalls) {
    const own = slotOf(call.setup_time) === slot;
    const long = own && isLongCall(call);
    for (const dim of ROLLUP_DIMENSIONS) {
      const value = dimensionValue(call, dim);
      const key = `${dim}\u0000${value}`;
      let group = groups.get(key);
      if (group === undefined) groups.set(key, (group = { dim, value, calls: [], own: false, long: 0 }));
      group.calls.push(call);
      if (own) group.own = true;
      if (long) group.long++;
    }
  }
  return [...groups.values()]
    .filter((g) => g.own)
    .map(({ dim, value, calls, long }) => ({ dim, value, reach: peakReach(slot, calls), long_calls: long }));
}
