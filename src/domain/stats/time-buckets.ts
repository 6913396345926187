/** The bucket sizes a time series can use. */
export const BUCKETS = ['minute', 'hour', 'day', 'week'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** Most buckets one time series may have (e.g. 7 days of minutes is 10,080). */
export const MAX_BUCKETS = 20_000;

const FIXED_SEC: Record<'minute' | 'hour', number> = { minute: 60, hour: 3_600 };
const DAY_SEC = 86_400;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Whether Intl knows this IANA time zone name (e.g. `Asia/Tokyo`, `UTC`). */
export function isValidTimeZone(tz: string): boolean {
  if (tz.length === 0 || tz.length > 64) return false;
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock time in `tz` at a Unix second. */
export function localTime(seconds: number, tz: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(seconds * 1000)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1,
    hour: parts.hour ?? 0, minute: parts.minute ?? 0, second: parts.second ?? 0,
  };
}

/** The zone's offset from UTC at a Unix second, in seconds (Asia/Tokyo: 32400). */
export function offsetSecondsAt(seconds: number, tz: string): number {
  const l = localTime(seconds, tz);
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) / 1000 - seconds;
}

/** The first Unix second of a local calendar date in `tz` (DST-correct). */
export function startOfLocalDate(year: number, month: number, day: number, tz: string): number {
  const wall = Date.UTC(year, month - 1, day) / 1000;
  let t = wall - offsetSecondsAt(wall, tz);
  t = wall - offsetSecondsAt(t, tz);
  // Where midnight does not exist (a DST jump at 00:00), the day starts at the jump.
  const l = localTime(t, tz);
  if (Date.UTC(l.year, l.month - 1, l.day) / 1000 < wall) t += 3_600 - (l.minute * 60 + l.second);
  return t;
}

/** The start of the bucket holding a Unix second. Weeks start on Monday. */
export function bucketStart(seconds: number, bucket: Bucket, tz: string): number {
  if (bucket === 'minute' || bucket === 'hour') {
    const size = FIXED_SEC[bucket];
    const local = seconds + offsetSecondsAt(seconds, tz);
    return seconds - (((local % size) + size) % size);
  }
  const l = localTime(seconds, tz);
  const date = new Date(Date.UTC(l.year, l.month - 1, l.day));
  if (bucket === 'week') date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return startOfLocalDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), tz);
}

/** The start of the bucket after the one starting at `start`. */
export function nextBucketStart(start: number, bucket: Bucket, tz: string): number {
  if (bucket === 'minute' || bucket === 'hour') {
    const next = bucketStart(start + FIXED_SEC[bucket], bucket, tz);
    return next > start ? next : start + FIXED_SEC[bucket];
  }
  const l = localTime(start + DAY_SEC / 2, tz); // mid-day: safely inside the bucket's first day
  const date = new Date(Date.UTC(l.year, l.month - 1, l.day + (bucket === 'week' ? 7 : 1)));
  return startOfLocalDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), tz);
}

/**
 * The bucket boundaries covering [from, to): `[b0, b1, …, bn]` with b0 <= from < b1 and
 * b(n-1) < to <= bn; bucket i is [b(i), b(i+1)). Null when there would be more than
 * `maxBuckets` buckets.
 */
export function bucketBoundaries(from: number, to: number, bucket: Bucket, tz: string, maxBuckets = MAX_BUCKETS): number[] | null {
  const bounds = [bucketStart(from, bucket, tz)];
  let last = bounds[0] as number;
  while (last < to) {
    if (bounds.length > maxBuckets) return null;
    last = nextBucketStart(last, bucket, tz);
    bounds.push(last);
  }
  return bounds;
}

/** A Unix second as ISO-8601 with the zone's offset, e.g. `2026-01-01T00:00:00+09:00`. */
export function isoWithOffset(seconds: number, tz: string): string {
  const l = localTime(seconds, tz);
  const off = offsetSecondsAt(seconds, tz);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(l.year, 4)}-${pad(l.month)}-${pad(l.day)}T${pad(l.hour)}:${pad(l.minute)}:${pad(l.second)}` +
    `${sign}${pad(Math.floor(abs / 3600))}:${pad(Math.floor((abs % 3600) / 60))}`;
}
