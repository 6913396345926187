import { rankIndex } from '../percentile.js';

/**
 * A duration in ms rounded toward zero to two significant digits: exact under 100 ms,
 * less than 10 % off above (1234 → 1200, −1234 → −1200). The lifecycle percentiles are
 * read from counts per rounded value (docs/spec/outcomes.md §3.2).
 *
 * @example roundMs(1234) // 1200
 */
export function roundMs(ms: number): number {
  const whole = Math.trunc(ms);
  const abs = Math.abs(whole);
  if (abs < 100) return whole;
  const unit = 10 ** (String(abs).length - 2);
  const rounded = Math.floor(abs / unit) * unit;
  return whole < 0 ? -rounded : rounded;
}

/** The nearest-rank percentile of values given as counts per rounded value; null when there are none. */
export function percentileOfCounts(counts: ReadonlyMap<number, number>, p: number): number | null {
  const values = [...counts.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = values.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const index = rankIndex(total, p);
  let seen = 0;
  for (const [value, n] of values) {
    seen += n;
    if (seen > index) return value;
  }
  return null;
}
