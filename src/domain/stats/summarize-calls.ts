import type { Outcome } from '../classify/call-status.js';
import { type Figures, isAnswered, ratio, SHORT_CALL_SEC, type StatsCall } from './figures.js';
import { peakConcurrency } from './peak-concurrency.js';
import { nearestRank } from './percentile.js';

/**
 * Every figure of a list of stored calls, brute force: the reference definition that
 * the fast paths are tested against. Percentiles are exact nearest-rank values.
 *
 * @example summarizeCalls([]).asr // null
 */
export function summarizeCalls(calls: readonly StatsCall[]): Figures {
  const count: Record<Outcome, number> = { completed: 0, dropped: 0, canceled: 0, rejected: 0, busy: 0, no_answer: 0, failed: 0 };
  let totalDuration = 0;
  let totalBilling = 0;
  let answeredDuration = 0;
  let shortCalls = 0;
  const durations: number[] = [];
  const ttas: number[] = [];
  for (const call of calls) {
    count[call.outcome]++;
    totalDuration += call.duration;
    totalBilling += call.billing_sec ?? 0;
    if (!isAnswered(call)) continue;
    answeredDuration += call.duration;
    if (call.duration < SHORT_CALL_SEC) shortCalls++;
    durations.push(call.duration);
    if (call.start_time > 0) ttas.push(call.start_time - call.setup_time);
  }
  durations.sort((a, b) => a - b);
  ttas.sort((a, b) => a - b);
  const attempts = calls.length;
  const answered = count.completed + count.dropped;
  return {
    attempts,
    ...count,
    answered,
    asr: ratio(answered, attempts),
    ner: ratio(attempts - count.failed, attempts),
    drop_rate: ratio(count.dropped, answered),
    acd_sec: ratio(answeredDuration, answered),
    total_duration_sec: totalDuration,
    total_billing_sec: totalBilling,
    short_call_ratio: ratio(shortCalls, answered),
    duration_p50_sec: nearestRank(durations, 0.5),
    duration_p90_sec: nearestRank(durations, 0.9),
    duration_p99_sec: nearestRank(durations, 0.99),
    tta_p50_sec: nearestRank(ttas, 0.5),
    tta_p90_sec: nearestRank(ttas, 0.9),
    peak_concurrency: peakConcurrency(calls),
  };
}
