import assert from 'node:assert/strict';
import type { Figures, StatsCall } from '../../src/domain/stats/figures.js';
import { bucketKey, bucketValue } from '../../src/domain/stats/seconds-histogram.js';
import type { StatsSource } from '../../src/domain/stats/stats-query.js';
import { summarizeCalls } from '../../src/domain/stats/summarize-calls.js';

const PERCENTILE_KEYS = ['duration_p50_sec', 'duration_p90_sec', 'duration_p99_sec', 'tta_p50_sec', 'tta_p90_sec'] as const;

/**
 * The figures an answer must equal, recomputed brute force from the calls it covers.
 * From rollups, percentiles are the histogram bucket's value of the exact percentile
 * (exact below 600 s, within 1 % above); every other figure, peak_concurrency included, is exact.
 */
export function expectedFigures(calls: readonly StatsCall[], source: StatsSource): Figures {
  const exact = summarizeCalls(calls);
  return source === 'calls' ? exact : atHistogramPrecision(exact);
}

/** Exact figures as the rollups give them: each percentile replaced by its histogram bucket's value. */
function atHistogramPrecision(exact: Figures): Figures {
  const expected = { ...exact };
  for (const key of PERCENTILE_KEYS) {
    const v = exact[key];
    expected[key] = v === null ? null : bucketValue(bucketKey(v));
  }
  return expected;
}

/** Asserts every figure, naming the first that differs; peak concurrency never exceeds answered. */
export function assertFigures(actual: Figures, expected: Figures, context: string): void {
  for (const key of Object.keys(expected) as Array<keyof Figures>) {
    assert.equal(actual[key], expected[key], `${context}: ${key}`);
  }
  assert.ok(actual.peak_concurrency <= actual.answered, `${context}: peak_concurrency ${actual.peak_concurrency} > answered ${actual.answered}`);
}

/** Asserts that an answer from the rollups equals the exact answer (a scan) of the same query, percentiles at the histogram's precision. */
export function assertSameAnswer(fromRollups: Figures, exact: Figures, context: string): void {
  assertFigures(fromRollups, atHistogramPrecision(exact), context);
}
