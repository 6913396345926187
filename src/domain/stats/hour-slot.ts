/**
 * The widths rollups are kept at. Hour slots answer windows and buckets on whole UTC
 * hours; quarter-hour slots answer every other zone and window end (no UTC offset in the
 * tz database is finer than 15 minutes: +5:30, +5:45, +8:45, −3:30, −9:30, Lord Howe's
 * 30-minute DST). `reachSlots` is how many slots a reach vector spans: 24 hours in both.
 */
export interface SlotGrain {
  readonly name: 'hour' | 'quarter';
  /** Width of one slot, in seconds. */
  readonly sec: number;
  /** Length of a reach vector, in slots (src/domain/stats/peak-reach.ts): always 24 hours. */
  readonly reachSlots: number;
}

export const HOUR_GRAIN: SlotGrain = { name: 'hour', sec: 3_600, reachSlots: 24 };
export const QUARTER_GRAIN: SlotGrain = { name: 'quarter', sec: 900, reachSlots: 96 };

/** Width of one hourly rollup slot, in seconds. */
export const ROLLUP_SLOT_SEC = HOUR_GRAIN.sec;

/** The slot (start, Unix seconds) a time falls in. */
export function slotOf(seconds: number, grain: SlotGrain = HOUR_GRAIN): number {
  return Math.floor(seconds / grain.sec) * grain.sec;
}
