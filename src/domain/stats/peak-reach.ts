import type { StatsCall } from './figures.js';
import { HOUR_GRAIN, type SlotGrain, slotOf } from './hour-slot.js';
import { talks } from './peak-concurrency.js';

/**
 * Exact peak concurrency over many hours from hourly rollups (docs/statistics.md, "Peak
 * concurrency over several hours").
 *
 * For the rollup row of hour T (one dimension value), `reach[i]` is the most calls of the
 * cell talking at one instant t ≥ T among the calls set up in the hours T − i … T. For a
 * window of whole hours [A, B), the peak of its calls is then the largest
 * `reach[min(i_max, (T − A) / 1 h)]` over the window's rows — exact as long as no call in
 * the window talks past its setup hour + PEAK_REACH_HOURS (a "long call"): the instant of
 * the peak lies at or after the setup hour T* of the latest call talking then, and every
 * call talking then was set up at most PEAK_REACH_HOURS − 1 hours before T*.
 */
export const PEAK_REACH_HOURS = HOUR_GRAIN.reachSlots;

/**
 * Reach vectors of both grains are indexed in quarter-hours (migration 9): `reach[k]` of
 * the row of slot T counts the cell's calls set up in [T − k × 15 min, end of T), so an
 * hourly row can be read for a window starting on any quarter-hour (Asia/Kolkata's days).
 * 96 steps span the 24 hours the calls of a row may reach back.
 */
export const REACH_STEP_SEC = 900;
export const REACH_STEPS = 96;

/** The reach step of a call of an earlier slot for the row of `slot`: how many quarter-hours back its setup lies (rounded up). */
export function reachAge(slot: number, setupTime: number): number {
  return setupTime >= slot ? 0 : Math.ceil((slot - setupTime) / REACH_STEP_SEC);
}

/** Whether a call talks past its setup hour + PEAK_REACH_HOURS (rollup peaks cannot include it exactly). */
export function isLongCall(call: Pick<StatsCall, 'setup_time' | 'start_time' | 'end_time' | 'outcome'>, grain: SlotGrain = HOUR_GRAIN): boolean {
  return talks(call) && call.end_time > slotOf(call.setup_time, grain) + grain.reachSlots * grain.sec;
}

/** Whether a call talks past the end of its setup hour (it can count in a later hour's reach). */
export function spillsPastSetupHour(call: Pick<StatsCall, 'setup_time' | 'start_time' | 'end_time' | 'outcome'>, grain: SlotGrain = HOUR_GRAIN): boolean {
  return talks(call) && call.end_time > slotOf(call.setup_time, grain) + grain.sec;
}

/**
 * The hours whose rows' reach a talking call can change: from its setup hour to the hour
 * of its last talking second, at most PEAK_REACH_HOURS of them; none if it did not talk.
 */
export function reachHoursOf(call: Pick<StatsCall, 'setup_time' | 'start_time' | 'end_time' | 'outcome'>, grain: SlotGrain = HOUR_GRAIN): number[] {
  if (!talks(call)) return [];
  const first = slotOf(call.setup_time, grain);
  const last = Math.min(slotOf(call.end_time - 1, grain), first + (grain.reachSlots - 1) * grain.sec);
  const hours: number[] = [];
  for (let h = first; h <= last; h += grain.sec) hours.push(h);
  return hours;
}

/** A reach vector without its trailing repeats (at least one value). */
export function trimReach(reach: readonly number[]): number[] {
  let n = reach.length;
  while (n > 1 && reach[n - 1] === reach[n - 2]) n--;
  return n === 0 ? [0] : reach.slice(0, n);
}

/** The value of a (trimmed) reach vector at index i. */
export function reachAt(reach: readonly number[], i: number): number {
  if (reach.length === 0) return 0;
  return reach[Math.min(i, reach.length - 1)] as number;
}

/**
 * The reach index a row of hour `slot` is read at in a window starting at `windowStart`
 * (undefined or −∞: unbounded): how many earlier hours of the window may add calls to its peak.
 */
export function reachIndex(slot: number, windowStart: number | undefined): number {
  if (windowStart === undefined) return REACH_STEPS - 1;
  return Math.max(0, Math.min(REACH_STEPS - 1, Math.floor((slot - windowStart) / REACH_STEP_SEC)));
}

/** Element-wise larger of two reach vectors (both lower bounds of the same figures), trimmed. */
export function maxReach(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.max(reachAt(a, i), reachAt(b, i)));
  return trimReach(out);
}
