/**
 * Time ranges of the overview: presets relative to now, custom ranges typed in a time
 * zone, the previous period, and the chart bucket that suits a range. Pure: `now` is a
 * parameter.
 */
import type { Bucket } from './api-types.js';
import { zonedParts } from './format.js';

/** The preset ranges, in seconds. */
export const PRESET_SECONDS = { '1h': 3_600, '24h': 86_400, '7d': 7 * 86_400, '30d': 30 * 86_400 } as const;
export type Preset = keyof typeof PRESET_SECONDS;

/** A window of Unix seconds: `from` inclusive, `to` exclusive (as the API reads them). */
export interface TimeWindow {
  from: number;
  to: number;
}

export function isPreset(value: string | null): value is Preset {
  return value !== null && Object.hasOwn(PRESET_SECONDS, value);
}

/**
 * The window a preset covers at `nowMs`, ending after now so that the latest callbacks
 * are inside. The last hour ends at the end of the current minute (minute buckets line
 * up); longer presets end at the end of the current UTC hour, because the server answers
 * whole-hour windows from its hourly rollups instead of scanning every call.
 */
export function presetWindow(preset: Preset, nowMs: number): TimeWindow {
  const step = preset === '1h' ? 60 : 3_600;
  const to = (Math.floor(nowMs / 1000 / step) + 1) * step;
  return { from: to - PRESET_SECONDS[preset], to };
}

/** The period of the same length just before a window, for "change against the previous period". */
export function previousWindow(w: TimeWindow): TimeWindow {
  return { from: w.from - (w.to - w.from), to: w.from };
}

/** The bucket that gives a readable number of points (at most a few hundred) for a window. */
export function bucketFor(w: TimeWindow): Bucket {
  const length = w.to - w.from;
  if (length <= 3 * 3_600) return 'minute';
  if (length <= 8 * 86_400) return 'hour';
  if (length <= 120 * 86_400) return 'day';
  return 'week';
}

/**
 * Reads a `datetime-local` value (`2026-11-25T09:30`) as wall-clock time in `timeZone`.
 * Returns null when the text is not such a value.
 */
export function zonedInputToUnix(value: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s] = m;
  const wallAsUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? '0'));
  // Two passes find the offset in force at that wall time (and settle DST edges).
  let guess = wallAsUtc - offsetMs(wallAsUtc, timeZone);
  guess = wallAsUtc - offsetMs(guess, timeZone);
  return Math.floor(guess / 1000);
}

/** The `datetime-local` value of an instant in a time zone. */
export function unixToZonedInput(unixSeconds: number, timeZone: string): string {
  const p = zonedParts(unixSeconds * 1000, timeZone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** The time zone's offset from UTC at an instant, in milliseconds. */
function offsetMs(unixMs: number, timeZone: string): number {
  const p = zonedParts(unixMs, timeZone);
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - Math.floor(unixMs / 1000) * 1000;
}


/**
 * A list page's filter form as hash parameters: every filled field, trimmed; `from` and `to`
 * (datetime-local, wall-clock time in `timeZone`) as Unix time in the unit the page's API
 * takes (the call list: seconds; the group call list: milliseconds).
 */
export function filterFormParams(form: HTMLFormElement, timeZone: string, timeUnit: 'seconds' | 'milliseconds'): URLSearchParams {
  const next = new URLSearchParams();
  for (const [key, value] of new FormData(form).entries()) {
    if (typeof value !== 'string' || value.trim() === '') continue;
    if (key === 'from' || key === 'to') {
      const unix = zonedInputToUnix(value, timeZone);
      if (unix !== null) next.append(key, String(timeUnit === 'seconds' ? unix : unix * 1000));
    } else next.append(key, value.trim());
  }
  return next;
}
