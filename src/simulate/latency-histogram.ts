/** Relative width of one histogram bucket: percentiles are exact to about 1 %. */
const BUCKET_GROWTH = 1.01;
const LOG_GROWTH = Math.log(BUCKET_GROWTH);
/** Latencies below this (in milliseconds) share the first bucket. */
const MIN_TRACKED_MS = 0.001;

/**
 * Latencies in constant memory: log-spaced buckets, so that millions of requests
 * cost a few kilobytes and any percentile is within about 1 % of the truth.
 *
 * @example const h = new LatencyHistogram(); h.record(1.5); h.percentile(0.5) // ≈ 1.5
 */
export class LatencyHistogram {
  private readonly buckets = new Map<number, number>();
  count = 0;
  max = 0;
  private sum = 0;

  /** Adds one latency, in milliseconds. */
  record(ms: number): void {
    const index = ms <= MIN_TRACKED_MS ? 0 : Math.ceil(Math.log(ms / MIN_TRACKED_MS) / LOG_GROWTH);
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1);
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  /** The latency at fraction `q` (0.5 → median), in milliseconds; 0 when empty. */
  percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (const index of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(index) ?? 0;
      if (seen >= rank) return Math.min(this.max, MIN_TRACKED_MS * BUCKET_GROWTH ** index);
    }
    return this.max;
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }
}
