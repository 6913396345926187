import type { Outcome } from '../classify/call-status.js';
import { type Figures, isAnswered, ratio, SHORT_CALL_SEC, type StatsCall } from './figures.js';
import {
  bucketKey,
  histogramPercentiles,
  mergeHistogram,
  type SecondsHistogram,
} from './seconds-histogram.js';

/**
 * The mergeable state behind Figures: counts, sums and histograms add up exactly.
 * `peak_concurrency` merges by max, which is exact within one part and a lower bound
 * across parts; rollup reads make it exact across hours with reach vectors (peak-reach.ts).
 */
export interface PartialFigures {
  outcomes: Record<Outcome, number>;
  duration_sum: number;
  billing_sum: number;
  answered_duration_sum: number;
  short_calls: number;
  duration_hist: SecondsHistogram;
  tta_hist: SecondsHistogram;
  peak_concurrency: number;
}

/** A PartialFigures of no calls. */
export function emptyPartial(): PartialFigures {
  return {
    outcomes: { completed: 0, dropped: 0, canceled: 0, rejected: 0, busy: 0, no_answer: 0, failed: 0 },
    duration_sum: 0,
    billing_sum: 0,
    answered_duration_sum: 0,
    short_calls: 0,
    duration_hist: new Map(),
    tta_hist: new Map(),
    peak_concurrency: 0,
  };
}

/** Counts one call into a partial (everything but peak_concurrency, which needs all calls at once). */
export function addCall(p: PartialFigures, call: StatsCall): void {
  addCallWithKeys(p, call, bucketKey(call.duration), call.start_time > 0 ? bucketKey(call.start_time - call.setup_time) : null);
}

/** addCall with the call's histogram keys computed once by the caller (hot path: one call, many cells). */
export function addCallWithKeys(p: PartialFigures, call: StatsCall, durationKey: number, ttaKey: number | null): void {
  p.outcomes[call.outcome]++;
  p.duration_sum += call.duration;
  p.billing_sum += call.billing_sec ?? 0;
  if (!isAnswered(call)) return;
  p.answered_duration_sum += call.duration;
  if (call.duration < SHORT_CALL_SEC) p.short_calls++;
  p.duration_hist.set(durationKey, (p.duration_hist.get(durationKey) ?? 0) + 1);
  if (ttaKey !== null) p.tta_hist.set(ttaKey, (p.tta_hist.get(ttaKey) ?? 0) + 1);
}

/** Adds `from` into `into`. */
export function mergePartial(into: PartialFigures, from: PartialFigures): void {
  for (const o of Object.keys(into.outcomes) as Outcome[]) into.outcomes[o] += from.outcomes[o];
  into.duration_sum += from.duration_sum;
  into.billing_sum += from.billing_sum;
  into.answered_duration_sum += from.answered_duration_sum;
  into.short_calls += from.short_calls;
  mergeHistogram(into.duration_hist, from.duration_hist);
  mergeHistogram(into.tta_hist, from.tta_hist);
  into.peak_concurrency = Math.max(into.peak_concurrency, from.peak_concurrency);
}

/** The attempts a partial holds. */
export function partialAttempts(p: PartialFigures): number {
  let n = 0;
  for (const c of Object.values(p.outcomes)) n += c;
  return n;
}

/** Turns a partial into the API's Figures. */
export function finishFigures(p: PartialFigures): Figures {
  const attempts = partialAttempts(p);
  const answered = p.outcomes.completed + p.outcomes.dropped;
  const [d50, d90, d99] = histogramPercentiles(p.duration_hist, [0.5, 0.9, 0.99]);
  const [t50, t90] = histogramPercentiles(p.tta_hist, [0.5, 0.9]);
  return {
    attempts,
    ...p.outcomes,
    answered,
    asr: ratio(answered, attempts),
    ner: ratio(attempts - p.outcomes.failed, attempts),
    drop_rate: ratio(p.outcomes.dropped, answered),
    acd_sec: ratio(p.answered_duration_sum, answered),
    total_duration_sec: p.duration_sum,
    total_billing_sec: p.billing_sum,
    short_call_ratio: ratio(p.short_calls, answered),
    duration_p50_sec: d50 ?? null,
    duration_p90_sec: d90 ?? null,
    duration_p99_sec: d99 ?? null,
    tta_p50_sec: t50 ?? null,
    tta_p90_sec: t90 ?? null,
    peak_concurrency: p.peak_concurrency,
  };
}
