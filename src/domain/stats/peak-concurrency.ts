/** Whether a call talked at all: `[start_time, end_time)` is not empty (it never connected if start_time is 0). */
export function talks(call: { start_time: number; end_time: number }): boolean {
  return call.start_time > 0 && call.end_time > call.start_time;
}

/**
 * The most intervals `[start, end)` open at one instant. Calls that never connected
 * (`start_time` 0) or have no talking time (`end_time <= start_time`) do not count.
 *
 * @example peakConcurrency([{ start_time: 10, end_time: 20 }, { start_time: 20, end_time: 30 }]) // 1
 */
export function peakConcurrency(calls: Iterable<{ start_time: number; end_time: number }>): number {
  const starts: number[] = [];
  const ends: number[] = [];
  for (const c of calls) {
    if (talks(c)) {
      starts.push(c.start_time);
      ends.push(c.end_time);
    }
  }
  starts.sort((a, b) => a - b);
  ends.sort((a, b) => a - b);
  let open = 0;
  let peak = 0;
  let j = 0;
  for (const s of starts) {
    // An interval ending at s is already closed at s (half-open intervals).
    while (j < ends.length && (ends[j] as number) <= s) {
      open--;
      j++;
    }
    open++;
    if (open > peak) peak = open;
  }
  return peak;
}
