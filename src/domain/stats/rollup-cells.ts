import type { StatsCall } from './figures.js';
import { addCallWithKeys, emptyPartial, type PartialFigures } from './partial-figures.js';
import { bucketKey } from './seconds-histogram.js';
import { HOUR_GRAIN, QUARTER_GRAIN, ROLLUP_SLOT_SEC, type SlotGrain, slotOf } from './hour-slot.js';
import { talks } from './peak-concurrency.js';
import { isLongCall, reachAge, spillsPastSetupHour, trimReach } from './peak-reach.js';

export { HOUR_GRAIN, QUARTER_GRAIN, ROLLUP_SLOT_SEC, type SlotGrain, slotOf };

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
export function rollupCellsOf(calls: Iterable<StatsCall>, earlier?: readonly StatsCall[], grain: SlotGrain = HOUR_GRAIN): RollupCell[] {
  type Building = RollupCell;
  const slots = new Map<number, Array<Map<string, Building>>>();
  const talkingBySlot = new Map<number, StatsCall[]>();
  const out: Building[] = [];
  for (const call of calls) {
    const slot = slotOf(call.setup_time, grain);
    let byDim = slots.get(slot);
    if (byDim === undefined) slots.set(slot, (byDim = ROLLUP_DIMENSIONS.map(() => new Map())));
    const talking = talks(call);
    const long = isLongCall(call, grain);
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
        cell = { slot, dim, value, partial: emptyPartial(), peak_reach: [0], long_calls: 0 };
        cells.set(value, cell);
        out.push(cell);
      }
      addCallWithKeys(cell.partial, call, durationKey, ttaKey);
      if (long) cell.long_calls++;
    }
  }
  // Peaks: one sweep per slot over its talking calls (and, with `earlier`, the calls still talking in it).
  const spill = earlier === undefined ? [] : [...earlier, ...[...talkingBySlot.values()].flat().filter((c) => spillsPastSetupHour(c, grain))];
  for (const [slot, own] of talkingBySlot) {
    const since = slot - (grain.reachSlots - 1) * grain.sec;
    const candidates = spill.length === 0 ? own : own.concat(spill.filter((c) => c.setup_time < slot && c.end_time > slot && c.setup_time >= since));
    const bySlot = slots.get(slot) as Array<Map<string, Building>>;
    for (const { dim, value, reach } of peaksByCell(slot, candidates, grain)) {
      const cell = bySlot[ROLLUP_DIMENSIONS.indexOf(dim)]?.get(value);
      if (cell === undefined) continue;
      cell.partial.peak_concurrency = reach[0] ?? 0;
      cell.peak_reach = earlier === undefined ? [reach[0] ?? 0] : reach;
    }
  }
  return out;
}

/**
 * The calls a later batch of whole slots needs as `earlier` (rollupCellsOf): those of
 * `previous` and `calls` that talk past their setup hour and were set up at most
 * PEAK_REACH_HOURS − 1 hours before `nextSlot`, the first slot of the next batch.
 */
export function carrySpill(previous: readonly StatsCall[], calls: Iterable<StatsCall>, nextSlot: number, grain: SlotGrain = HOUR_GRAIN): StatsCall[] {
  const since = nextSlot - (grain.reachSlots - 1) * grain.sec;
  const out = previous.filter((c) => c.setup_time >= since && c.end_time > since);
  for (const c of calls) if (c.setup_time >= since && spillsPastSetupHour(c, grain)) out.push(c);
  return out;
}

/** The slot after the latest setup time of a batch (carrySpill's `nextSlot` for batches of whole slots in time order). */
export function nextSlotAfter(calls: Iterable<StatsCall>, grain: SlotGrain = HOUR_GRAIN): number {
  let latest = Number.NEGATIVE_INFINITY;
  for (const c of calls) if (c.setup_time > latest) latest = c.setup_time;
  return slotOf(latest, grain) + grain.sec;
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
 * One sweep over the calls' start and end instants serves every cell (the hot path of
 * seeding and of refreshing stale hours).
 */
export function peaksByCell(slot: number, talkingCalls: Iterable<StatsCall>, grain: SlotGrain = HOUR_GRAIN): CellPeaks[] {
  const cells: Array<{ dim: RollupDimension; value: string; own: boolean; long: number }> = [];
  const byDim = ROLLUP_DIMENSIONS.map(() => new Map<string, number>());
  const callCells: number[][] = [];
  const ages: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let maxAge = 0;
  for (const call of talkingCalls) {
    if (!talks(call) || call.end_time <= slot) continue;
    const setupSlot = slotOf(call.setup_time, grain);
    if (setupSlot > slot || setupSlot < slot - (grain.reachSlots - 1) * grain.sec) continue;
    const own = setupSlot === slot;
    const age = own ? 0 : reachAge(slot, call.setup_time);
    const long = own && isLongCall(call, grain);
    const ids: number[] = [];
    for (let d = 0; d < ROLLUP_DIMENSIONS.length; d++) {
      const dim = ROLLUP_DIMENSIONS[d] as RollupDimension;
      const value = dimensionValue(call, dim);
      const map = byDim[d] as Map<string, number>;
      let id = map.get(value);
      if (id === undefined) {
        id = cells.length;
        map.set(value, id);
        cells.push({ dim, value, own: false, long: 0 });
      }
      const cell = cells[id] as (typeof cells)[number];
      if (own) cell.own = true;
      if (long) cell.long++;
      ids.push(id);
    }
    if (age > maxAge) maxAge = age;
    callCells.push(ids);
    ages.push(age);
    starts.push(Math.max(call.start_time, slot));
    ends.push(call.end_time);
  }
  // Events as indexes: 2i is call i's start, 2i + 1 its end; by time, ends before starts (half-open).
  const at = (e: number) => ((e & 1) === 0 ? (starts[e >> 1] as number) : (ends[e >> 1] as number));
  const events = Array.from({ length: callCells.length * 2 }, (_, e) => e);
  events.sort((a, b) => at(a) - at(b) || (b & 1) - (a & 1));
  const width = maxAge + 1;
  const open = new Int32Array(cells.length * width);
  const best = new Int32Array(cells.length * width);
  for (const e of events) {
    const i = e >> 1;
    const age = ages[i] as number;
    const ids = callCells[i] as number[];
    if ((e & 1) === 1) {
      for (const id of ids) {
        const k = id * width + age;
        open[k] = (open[k] as number) - 1;
      }
      continue;
    }
    for (const id of ids) {
      const base = id * width;
      open[base + age] = (open[base + age] as number) + 1;
      // Only the sums over ages ≥ this call's age grew.
      let sum = 0;
      for (let a = 0; a < width; a++) {
        sum += open[base + a] as number;
        if (a >= age && sum > (best[base + a] as number)) best[base + a] = sum;
      }
    }
  }
  const out: CellPeaks[] = [];
  cells.forEach((cell, id) => {
    if (cell.own) out.push({ dim: cell.dim, value: cell.value, reach: trimReach(Array.from(best.subarray(id * width, id * width + width))), long_calls: cell.long });
  });
  return out;
}
