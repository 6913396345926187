import { OUTCOMES, type Outcome } from '../domain/classify/call-status.js';
import type { Figures } from '../domain/stats/figures.js';
import type { TruthCall } from './ground-truth.js';

/** Seconds under which an answered call counts as short (docs/spec/outcomes.md §2). */
export const SHORT_CALL_SEC = 10;

/**
 * The figures of docs/spec/outcomes.md §2, computed from the ground truth alone: the same
 * shape as the statistics' own (the computation below is independent of theirs).
 */
export type ExpectedFigures = Figures;

/**
 * The figures the statistics must show for these calls, computed here independently of
 * callevt's statistics code (it is what verify checks them against). Percentiles use the
 * nearest-rank method.
 */
export function expectedFigures(calls: ReadonlyArray<Pick<TruthCall, 'fields' | 'expected'>>): ExpectedFigures {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  let totalDuration = 0;
  let totalBilling = 0;
  const answeredDurations: number[] = [];
  const answerDelays: number[] = [];
  for (const { fields, expected } of calls) {
    counts[expected.outcome]++;
    totalDuration += fields.duration;
    totalBilling += fields.billing_sec ?? 0;
    if (expected.outcome === 'completed' || expected.outcome === 'dropped') {
      answeredDurations.push(fields.duration);
      if (fields.start_time > 0) answerDelays.push(fields.start_time - fields.setup_time);
    }
  }
  const attempts = calls.length;
  const answered = counts.completed + counts.dropped;
  const ratio = (n: number, d: number) => (d === 0 ? null : n / d);
  answeredDurations.sort((a, b) => a - b);
  answerDelays.sort((a, b) => a - b);
  return {
    attempts,
    ...counts,
    answered,
    asr: ratio(answered, attempts),
    ner: ratio(attempts - counts.failed, attempts),
    drop_rate: ratio(counts.dropped, answered),
    acd_sec: ratio(answeredDurations.reduce((a, b) => a + b, 0), answered),
    total_duration_sec: totalDuration,
    total_billing_sec: totalBilling,
    short_call_ratio: ratio(answeredDurations.filter((d) => d < SHORT_CALL_SEC).length, answered),
    duration_p50_sec: nearestRank(answeredDurations, 0.5),
    duration_p90_sec: nearestRank(answeredDurations, 0.9),
    duration_p99_sec: nearestRank(answeredDurations, 0.99),
    tta_p50_sec: nearestRank(answerDelays, 0.5),
    tta_p90_sec: nearestRank(answerDelays, 0.9),
    peak_concurrency: peakConcurrency(calls),
  };
}

/**
 * The figures verify requires to match exactly (ratios to 1e-9). Percentiles are left out:
 * from rollups they are histogram values (within 1 %), and the nearest rank used here is
 * one of several definitions.
 */
export const JUDGED_FIGURES = [
  'attempts', ...OUTCOMES, 'answered', 'asr', 'ner', 'drop_rate', 'acd_sec',
  'total_duration_sec', 'total_billing_sec', 'short_call_ratio', 'peak_concurrency',
] as const satisfies ReadonlyArray<keyof ExpectedFigures>;

function nearestRank(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? null;
}

/** Most answered calls talking at once, over half-open [start_time, end_time) intervals (docs/spec/outcomes.md §2). */
function peakConcurrency(calls: ReadonlyArray<Pick<TruthCall, 'fields' | 'expected'>>): number {
  const edges: Array<[number, number]> = [];
  for (const { fields, expected } of calls) {
    const answered = expected.outcome === 'completed' || expected.outcome === 'dropped';
    if (answered && fields.start_time > 0 && fields.end_time > fields.start_time) edges.push([fields.start_time, 1], [fields.end_time, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]); // an end before a start at the same second
  let now = 0;
  let peak = 0;
  for (const [, delta] of edges) {
    now += delta;
    peak = Math.max(peak, now);
  }
  return peak;
}
