/**
 * Pure readers for the simulator's command-line values. Each returns the value or
 * throws an Error whose message names the option and what it accepts.
 */

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** `10s`, `500ms`, `2m`, `1h` or plain seconds → milliseconds. @example parseDurationMs('10s', '--duration') // 10000 */
export function parseDurationMs(text: string, option: string): number {
  const match = DURATION.exec(text.trim());
  const unit = (match?.[2] ?? 's') as keyof typeof UNIT_MS;
  const ms = match ? Number(match[1]) * UNIT_MS[unit] : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`${option} must be a positive duration like 10s, 500ms, 2m or 1h (got "${text}")`);
  return Math.round(ms);
}

/** A duration as parseDurationMs takes, or `0` (in any unit): for waits where none is valid. */
export function parseDurationMsOrZero(text: string, option: string): number {
  return /^0+(ms|s|m|h)?$/.test(text.trim()) ? 0 : parseDurationMs(text, option);
}

/** `500`, `500/s` or `500/m` → requests per second. */
export function parseRatePerSec(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(?:\/(s|m))?$/.exec(text.trim());
  const rate = match ? Number(match[1]) / (match[2] === 'm' ? 60 : 1) : Number.NaN;
  if (!Number.isFinite(rate) || rate <= 0) throw new Error(`${option} must be a positive rate like 500 or 500/s (got "${text}")`);
  return rate;
}

/** A whole number within [min, max]. */
export function parseWholeNumber(text: string, option: string, min: number, max: number): number {
  const n = /^\d{1,15}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`${option} must be a whole number from ${min} to ${max} (got "${text}")`);
  return n;
}

/** A fraction in [0, 1]; `5%` is accepted too. */
export function parseShare(text: string, option: string): number {
  const t = text.trim();
  const n = t.endsWith('%') ? Number(t.slice(0, -1)) / 100 : Number(t);
  if (t === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new Error(`${option} must be a fraction from 0 to 1, or a percentage (got "${text}")`);
  return n;
}

/** Unix seconds or an ISO-8601 date-time → Unix seconds. */
export function parseEpoch(text: string, option: string): number {
  const t = text.trim();
  if (/^\d{9,11}$/.test(t)) return Number(t);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(t) ? Date.parse(t) : Number.NaN;
  if (!Number.isFinite(ms)) throw new Error(`${option} must be Unix seconds or an ISO-8601 date-time (got "${text}")`);
  return Math.floor(ms / 1000);
}
