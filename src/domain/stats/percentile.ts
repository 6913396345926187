/**
 * The nearest-rank percentile of sorted values: the smallest value with at least
 * `p` of the values at or below it (index ceil(p·n) − 1). Null for no values.
 *
 * @example nearestRank([1, 2, 3, 4], 0.5) // 2
 */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[rankIndex(sorted.length, p)] ?? null;
}

/** The 0-based index of the nearest-rank p-th percentile among n values (n > 0). */
export function rankIndex(n: number, p: number): number {
  return Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1));
}
