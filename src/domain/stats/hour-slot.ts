/** Width of one rollup slot, in seconds: one UTC hour. */
export const ROLLUP_SLOT_SEC = 3_600;

/** The slot (start, Unix seconds) a time falls in. */
export function slotOf(seconds: number): number {
  return Math.floor(seconds / ROLLUP_SLOT_SEC) * ROLLUP_SLOT_SEC;
}
