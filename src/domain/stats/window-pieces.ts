import { HOUR_GRAIN, QUARTER_GRAIN } from './hour-slot.js';

/** The widths of the coarse blocks rollups are merged into (3 hours, a UTC day), largest last. */
export const BLOCK_WIDTHS = [10_800, 86_400] as const;
export type BlockWidth = (typeof BLOCK_WIDTHS)[number];

/** The slots that cover a window, by the table that holds them. */
export interface WindowPieces {
  quarters: number[];
  hours: number[];
  /** Block width → block starts. */
  blocks: Map<BlockWidth, number[]>;
}

/**
 * Covers [from, to) (on whole quarter-hours) with the fewest slots, never crossing a cut
 * (a bucket boundary): each stretch between cuts takes, at each point, the largest unit
 * that starts there and fits — a UTC day, 3 hours, an hour, else a quarter-hour. A 30-day
 * window is 30 day blocks; a day from 15:00 UTC (Asia/Tokyo) is 8 three-hour blocks; a day
 * from 18:30 UTC (Asia/Kolkata) is 2 quarters, 2 hours, 7 blocks, 2 quarters.
 */
export function windowPieces(from: number, to: number, cuts: readonly number[]): WindowPieces {
  const pieces: WindowPieces = { quarters: [], hours: [], blocks: new Map(BLOCK_WIDTHS.map((w) => [w, []])) };
  const stops = [...new Set(cuts.filter((c) => c > from && c < to))].sort((a, b) => a - b);
  stops.push(to);
  let t = from;
  for (const end of stops) {
    while (t < end) {
      const width = [...BLOCK_WIDTHS].reverse().find((w) => t % w === 0 && t + w <= end);
      if (width !== undefined) {
        pieces.blocks.get(width)?.push(t);
        t += width;
      } else if (t % HOUR_GRAIN.sec === 0 && t + HOUR_GRAIN.sec <= end) {
        pieces.hours.push(t);
        t += HOUR_GRAIN.sec;
      } else {
        pieces.quarters.push(t);
        t += QUARTER_GRAIN.sec;
      }
    }
  }
  return pieces;
}
