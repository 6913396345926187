import { isAnswered, type StatsCall } from './figures.js';

/** What a call needs to tell whether, and when, it talked. */
export type TalkingCall = Pick<StatsCall, 'start_time' | 'end_time' | 'outcome'>;

/**
 * Whether a call counts in peak concurrency: it was answered (connected: completed or
 * dropped, docs/statistics.md) and `[start_time, end_time)` is not empty. Taking the
 * outcome, not only the times, keeps the peak within `answered` whatever the classifier
 * decides about a call that has talk times.
 */
export function talks(call: TalkingCall): boolean {
  return isAnswered(call) && call.start_time > 0 && call.end_time > call.start_time;
}

/**
 * The most answered calls talking at one instant, over half-open `[start_time, end_time)`
 * intervals; calls that do not talk (see talks) do not count.
 *
 * @example peakConcurrency([{ start_time: 10, end_time: 20, outcome: 'completed' }, { start_time: 20, end_time: 30, outcome: 'dropped' }]) // 1
 */
export function peakConcurrency(calls: Iterable<TalkingCall>): number {
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
