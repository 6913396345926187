import { rankIndex } from './percentile.js';

/** Below this many seconds, every whole second has its own bucket: percentiles are exact. */
export const EXACT_BELOW_SEC = 600;
/** From EXACT_BELOW_SEC on, each bucket is this much wider than the previous one (2 %). */
export const LOG_BUCKET_GROWTH = 1.02;
/**
 * The most a reported percentile can differ from the exact one, relative to it: a value
 * of a log bucket is reported as the bucket's middle, at most half a bucket (1 %) away.
 */
export const MAX_PERCENTILE_RELATIVE_ERROR = 0.01;

/** Lower bounds (whole seconds) of the log buckets, up to beyond any safe integer. */
const LOG_BOUNDS: number[] = (() => {
  const bounds: number[] = [];
  for (let i = 0; ; i++) {
    const b = Math.ceil(EXACT_BELOW_SEC * LOG_BUCKET_GROWTH ** i);
    bounds.push(b);
    if (b > Number.MAX_SAFE_INTEGER) return bounds;
  }
})();

/**
 * A mergeable histogram of whole seconds: key = the value itself below EXACT_BELOW_SEC
 * (negative values too), else EXACT_BELOW_SEC + the log bucket's index. Stored as JSON.
 */
export type SecondsHistogram = Map<number, number>;

/** The histogram key of a value in whole seconds. */
export function bucketKey(seconds: number): number {
  if (seconds < EXACT_BELOW_SEC) return seconds;
  let lo = 0;
  let hi = LOG_BOUNDS.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((LOG_BOUNDS[mid] as number) <= seconds) lo = mid;
    else hi = mid - 1;
  }
  return EXACT_BELOW_SEC + lo;
}

/** The value a key stands for: itself when exact, else the middle of its log bucket. */
export function bucketValue(key: number): number {
  if (key < EXACT_BELOW_SEC) return key;
  const i = key - EXACT_BELOW_SEC;
  const lo = LOG_BOUNDS[i] as number;
  const next = LOG_BOUNDS[i + 1] ?? lo + 1;
  return (lo + next - 1) / 2;
}

/** Adds `count` observations of a value. */
export function addToHistogram(h: SecondsHistogram, seconds: number, count = 1): void {
  const key = bucketKey(seconds);
  h.set(key, (h.get(key) ?? 0) + count);
}

/** Adds every count of `from` into `into`. */
export function mergeHistogram(into: SecondsHistogram, from: SecondsHistogram): void {
  for (const [key, n] of from) into.set(key, (into.get(key) ?? 0) + n);
}

/** Several nearest-rank percentiles at once (one sort of the keys): histogramPercentile for each of `ps`. */
export function histogramPercentiles(h: SecondsHistogram, ps: readonly number[]): Array<number | null> {
  let n = 0;
  for (const c of h.values()) n += c;
  if (n === 0) return ps.map(() => null);
  const keys = [...h.keys()].sort((a, b) => a - b);
  return ps.map((p) => {
    const target = rankIndex(n, p) + 1;
    let seen = 0;
    for (const key of keys) {
      seen += h.get(key) as number;
      if (seen >= target) return bucketValue(key);
    }
    return null;
  });
}

/** The nearest-rank percentile (see percentile.ts) as the histogram can tell it, or null. */
export function histogramPercentile(h: SecondsHistogram, p: number): number | null {
  let n = 0;
  for (const c of h.values()) n += c;
  if (n === 0) return null;
  const target = rankIndex(n, p) + 1;
  let seen = 0;
  for (const key of [...h.keys()].sort((a, b) => a - b)) {
    seen += h.get(key) as number;
    if (seen >= target) return bucketValue(key);
  }
  return null;
}

/** The histogram as compact JSON text: a flat array `[key, count, key, count, …]` (fast to parse). */
export function histogramToJson(h: SecondsHistogram): string {
  const flat: number[] = [];
  for (const [key, n] of h) flat.push(key, n);
  return JSON.stringify(flat);
}

/** Reads histogram JSON text back (an empty or missing text is an empty histogram). */
export function histogramFromJson(text: string | null): SecondsHistogram {
  const h: SecondsHistogram = new Map();
  mergeHistogramJson(h, text);
  return h;
}

/** Merges histogram JSON text straight into `into` (the hot path of rollup reads). */
export function mergeHistogramJson(into: SecondsHistogram, text: string | null): void {
  if (text === null || text.length <= 2) return;
  const flat = JSON.parse(text) as number[];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const k = flat[i] as number;
    into.set(k, (into.get(k) ?? 0) + (flat[i + 1] as number));
  }
}

/** Keys a HistogramSum counts in its dense array: negative time-to-answer down to this… */
const DENSE_MIN_KEY = -128;
/** …up to below this (600 whole seconds and about 1,500 log buckets: beyond 60 years). */
const DENSE_END_KEY = 2_048;

/**
 * A sum of many histograms given as JSON text (histogramToJson), for reads that merge
 * hundreds of rollup rows: the text is read digit by digit into a dense array of counts,
 * without JSON.parse's arrays or a Map update per key (keys outside the dense range, and
 * any text not written by histogramToJson, go through the Map path). `addTo` hands the
 * sum over as an ordinary histogram.
 */
export class HistogramSum {
  private readonly dense = new Float64Array(DENSE_END_KEY - DENSE_MIN_KEY);
  private readonly other: SecondsHistogram = new Map();
  private lowest = Number.POSITIVE_INFINITY;
  private highest = Number.NEGATIVE_INFINITY;
  /** Key, count, key, count… of the text being read (reused). */
  private static pairs = new Float64Array(4_096);

  /** Adds a histogram's JSON text (an empty or missing text adds nothing). */
  addJson(text: string | null): void {
    if (text === null || text.length <= 2) return;
    const n = HistogramSum.readPairs(text);
    if (n < 0) {
      mergeHistogramJson(this.other, text);
      return;
    }
    const pairs = HistogramSum.pairs;
    for (let i = 0; i < n; i += 2) {
      const key = pairs[i] as number;
      const count = pairs[i + 1] as number;
      if (key >= DENSE_MIN_KEY && key < DENSE_END_KEY) {
        this.dense[key - DENSE_MIN_KEY] = (this.dense[key - DENSE_MIN_KEY] as number) + count;
        if (key < this.lowest) this.lowest = key;
        if (key > this.highest) this.highest = key;
      } else this.other.set(key, (this.other.get(key) ?? 0) + count);
    }
  }

  /** Adds the sum's counts into a histogram. */
  addTo(into: SecondsHistogram): void {
    for (let key = this.lowest; key <= this.highest; key++) {
      const count = this.dense[key - DENSE_MIN_KEY] as number;
      if (count !== 0) into.set(key, (into.get(key) ?? 0) + count);
    }
    mergeHistogram(into, this.other);
  }

  /**
   * Reads `[int,int,…]` (what histogramToJson writes) into `pairs`; the number of values
   * read, or −1 for any other text (then JSON.parse reads it).
   */
  private static readPairs(text: string): number {
    if (text.charCodeAt(0) !== 91 || text.charCodeAt(text.length - 1) !== 93) return -1;
    let n = 0;
    let value = 0;
    let digits = 0;
    let negative = false;
    for (let i = 1; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        value = value * 10 + (c - 48);
        digits++;
      } else if (c === 45 && digits === 0 && !negative) negative = true;
      else if (c === 44 || c === 93) {
        // Up to 15 digits are exact in a double; longer numbers take the JSON.parse path.
        if (digits === 0 || digits > 15) return -1;
        if (n === HistogramSum.pairs.length) {
          const grown = new Float64Array(n * 2);
          grown.set(HistogramSum.pairs);
          HistogramSum.pairs = grown;
        }
        HistogramSum.pairs[n++] = negative ? -value : value;
        value = 0;
        digits = 0;
        negative = false;
        if (c === 93) return i === text.length - 1 && n % 2 === 0 ? n : -1;
      } else return -1;
    }
    return -1;
  }
}
