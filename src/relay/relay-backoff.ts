/**
 * How long the relay waits after a failed attempt before the next, in milliseconds: the
 * base doubled after each failure, never more than the cap. No jitter: a sid's items go one
 * at a time anyway, and a fixed schedule is what the operator reads in docs/operations.md.
 *
 * @example relayRetryDelayMs(3, 1_000, 300_000) // 4000 (after the third failed attempt)
 */
export function relayRetryDelayMs(failedAttempts: number, baseMs: number, maxMs: number): number {
  const exponent = Math.max(0, failedAttempts - 1);
  // 2^exponent overflows to Infinity long after it passed any cap; min() keeps it bounded.
  return Math.min(maxMs, baseMs * 2 ** exponent);
}
