/**
 * How the dashboard writes numbers, ratios, durations and times. Pure (no DOM), so the
 * browser tests format the API's own answers with these and compare them with the screen.
 */

/** What the dashboard shows for a missing value (a ratio with a zero denominator). */
export const NO_VALUE = '—';

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const ONE_DECIMAL = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A count with thousands separators: `12,345`. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? NO_VALUE : INTEGER.format(n);
}

/** A fraction in [0,1] as a percentage with one decimal: `0.7321` → `73.2%`. */
export function formatPercent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? NO_VALUE : `${ONE_DECIMAL.format(ratio * 100)}%`;
}

/** Seconds, rounded, as `42 s`, `3 m 05 s` or `2 h 03 m`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return NO_VALUE;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${pad2(s % 60)} s`;
  return `${INTEGER.format(Math.floor(s / 3600))} h ${pad2(Math.floor((s % 3600) / 60))} m`;
}

/** Billed seconds as minutes with one decimal: `7530` → `125.5 min`. */
export function formatMinutes(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined ? NO_VALUE : `${ONE_DECIMAL.format(seconds / 60)} min`;
}

/** How a figure changed against the previous period, and which way. */
export interface Change {
  text: string;
  direction: 'up' | 'down' | 'flat' | 'none';
}

/**
 * The change of a figure against the previous period of the same length. Counts and
 * durations change by a relative percentage; ratios by percentage points (`pp`), since
 * "ASR +10%" of a ratio reads ambiguously.
 */
export function formatChange(current: number | null, previous: number | null, kind: 'count' | 'ratio'): Change {
  if (current === null || previous === null) return { text: NO_VALUE, direction: 'none' };
  if (kind === 'ratio') {
    const points = (current - previous) * 100;
    return { text: `${signed(points)} pp`, direction: directionOf(points) };
  }
  if (previous === 0) return current === 0 ? { text: '±0.0%', direction: 'flat' } : { text: 'new', direction: 'up' };
  const percent = ((current - previous) / previous) * 100;
  return { text: `${signed(percent)}%`, direction: directionOf(percent) };
}

/** A Unix-seconds instant as `2026-11-25 18:42:05` in an IANA time zone. */
export function formatTime(unixSeconds: number | null | undefined, timeZone: string): string {
  if (unixSeconds === null || unixSeconds === undefined) return NO_VALUE;
  const p = zonedParts(unixSeconds * 1000, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** A Unix-milliseconds instant as `2026-11-25 18:42:05.123` in an IANA time zone. */
export function formatTimeMs(unixMs: number | null | undefined, timeZone: string): string {
  if (unixMs === null || unixMs === undefined) return NO_VALUE;
  return `${formatTime(Math.floor(unixMs / 1000), timeZone)}.${String(((unixMs % 1000) + 1000) % 1000).padStart(3, '0')}`;
}

/** Milliseconds as a duration (`formatDuration` of the seconds). */
export function formatDurationMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? NO_VALUE : formatDuration(ms / 1000);
}

/** The wall-clock parts of an instant in a time zone, zero-padded. */
export function zonedParts(unixMs: number, timeZone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
  const parts = partsFormatter(timeZone).formatToParts(new Date(unixMs));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  const hour = get('hour');
  return { year: get('year'), month: get('month'), day: get('day'), hour: hour === '24' ? '00' : hour, minute: get('minute'), second: get('second') };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function signed(n: number): string {
  const rounded = Math.round(n * 10) / 10;
  if (rounded === 0) return '±0.0';
  return `${rounded > 0 ? '+' : '−'}${ONE_DECIMAL.format(Math.abs(rounded))}`;
}

function directionOf(n: number): Change['direction'] {
  const rounded = Math.round(n * 10) / 10;
  return rounded > 0 ? 'up' : rounded < 0 ? 'down' : 'flat';
}
