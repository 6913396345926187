import type { CallType, FieldProblem } from './call-event.js';
import type { CallFilter } from './call-filter.js';
import { ENDED_BY_VALUES, OUTCOMES, type Outcome } from './classify/call-status.js';
import type { EndedBy } from './classify/release-codes.js';

/** 9999-12-31T23:59:59Z: anything larger is not Unix seconds (often milliseconds). */
export const MAX_FILTER_UNIX_SECONDS = 253_402_300_799;
/** Longest user or service id a filter accepts, in characters (callbacks allow 256 bytes). */
export const MAX_FILTER_ID_CHARS = 256;
/** Longest reason name a filter accepts, in characters (e.g. `unknown (-2147483648)`). */
export const MAX_FILTER_REASON_CHARS = 64;
/** Largest duration bound, in seconds: one year, like the callback parser. */
export const MAX_FILTER_DURATION_SEC = 31_536_000;

/** The query parameters parseCallFilter reads; every other parameter is left to its endpoint. */
export const CALL_FILTER_PARAMETERS = [
  'from', 'to', 'time_field', 'user', 'from_user_id', 'to_user_id', 'from_service_id', 'to_service_id',
  'type', 'outcome', 'reason', 'ended_by', 'min_duration', 'max_duration',
] as const;

/** A query as Fastify (or a CLI) hands it over: repeated keys arrive as arrays. */
export type FilterQuery = Readonly<Record<string, string | readonly string[] | undefined>>;

export type ParseCallFilterResult = { ok: true; filter: CallFilter } | { ok: false; problems: FieldProblem[] };

const UNIX_SECONDS = /^(0|[1-9][0-9]{0,11})$/;
const RELATIVE = /^-([1-9][0-9]{0,5})([smhdw])$/;
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * Reads the call filter from query parameters, reporting every bad parameter at once.
 * Pure: `nowMs` (Unix milliseconds) is only used for relative times like `from=-24h`.
 * Empty values count as absent; parameters it does not know are ignored.
 *
 * @example parseCallFilter({ user: 'alice', outcome: 'dropped,failed' }, Date.now())
 *   // { ok: true, filter: { time_field: 'setup_time', user: 'alice', outcome: ['dropped', 'failed'] } }
 */
export function parseCallFilter(query: FilterQuery, nowMs: number): ParseCallFilterResult {
  const problems: FieldProblem[] = [];
  const one = (field: string): string | undefined => singleValue(query, field, problems);
  const filter: CallFilter = { time_field: 'setup_time' };

  const timeField = one('time_field');
  if (timeField !== undefined) {
    if (timeField === 'setup_time' || timeField === 'end_time') filter.time_field = timeField;
    else problems.push({ field: 'time_field', problem: "must be 'setup_time' or 'end_time'" });
  }
  for (const field of ['from', 'to'] as const) {
    const raw = one(field);
    if (raw === undefined) continue;
    const seconds = parseTime(raw, nowMs);
    if (typeof seconds === 'string') problems.push({ field, problem: seconds });
    else filter[field] = seconds;
  }
  if (filter.from !== undefined && filter.to !== undefined && filter.to <= filter.from) {
    problems.push({ field: 'to', problem: 'must be later than from (from is inclusive, to exclusive)' });
  }
  for (const field of ['user', 'from_user_id', 'to_user_id', 'from_service_id', 'to_service_id'] as const) {
    const raw = one(field);
    if (raw === undefined) continue;
    const problem = textProblem(raw, MAX_FILTER_ID_CHARS);
    if (problem === null) filter[field] = raw;
    else problems.push({ field, problem });
  }
  const type = one('type');
  if (type !== undefined) {
    if (type === 'A' || type === 'V') filter.type = type as CallType;
    else problems.push({ field: 'type', problem: "must be 'A' (audio) or 'V' (video)" });
  }
  const outcomes = parseOutcomes(query.outcome, problems);
  if (outcomes !== undefined) filter.outcome = outcomes;
  const reason = one('reason');
  if (reason !== undefined) {
    const problem = textProblem(reason, MAX_FILTER_REASON_CHARS);
    if (problem === null) filter.reason = reason;
    else problems.push({ field: 'reason', problem });
  }
  const endedBy = one('ended_by');
  if (endedBy !== undefined) {
    if ((ENDED_BY_VALUES as readonly string[]).includes(endedBy)) filter.ended_by = endedBy as EndedBy;
    else problems.push({ field: 'ended_by', problem: `must be one of ${ENDED_BY_VALUES.join(', ')}` });
  }
  for (const field of ['min_duration', 'max_duration'] as const) {
    const raw = one(field);
    if (raw === undefined) continue;
    const n = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
    if (Number.isInteger(n) && n <= MAX_FILTER_DURATION_SEC) filter[field] = n;
    else problems.push({ field, problem: `must be a whole number of seconds from 0 to ${MAX_FILTER_DURATION_SEC}` });
  }
  if (filter.min_duration !== undefined && filter.max_duration !== undefined && filter.max_duration < filter.min_duration) {
    problems.push({ field: 'max_duration', problem: 'must not be less than min_duration' });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, filter };
}

/**
 * A point in time as Unix seconds: Unix seconds, ISO-8601 (a date alone is midnight UTC;
 * a date-time without an offset is UTC), or a time relative to now like `-24h`, `-7d`.
 * Fractions of a second are dropped. Returns the problem as a string.
 */
export function parseTime(raw: string, nowMs: number): number | string {
  let seconds: number;
  const relative = RELATIVE.exec(raw);
  if (UNIX_SECONDS.test(raw)) seconds = Number(raw);
  else if (relative !== null) {
    seconds = Math.floor(nowMs / 1000) - Number(relative[1]) * (UNIT_SECONDS[relative[2] ?? 's'] ?? 1);
  } else {
    const iso = parseIso(raw);
    if (iso === null) return 'must be Unix seconds, an ISO-8601 date or date-time (e.g. 2026-01-31T09:00:00+09:00), or relative like -24h';
    seconds = iso;
  }
  if (seconds < 0 || seconds > MAX_FILTER_UNIX_SECONDS) return 'is outside 1970-01-01 .. 9999-12-31 (milliseconds instead of seconds?)';
  return seconds;
}

function parseIso(raw: string): number | null {
  const m = ISO_8601.exec(raw);
  if (m === null) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', , offset] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 2026-02-30 over into March: refuse dates that do not exist.
  if (new Date(ms).getUTCDate() !== day || year < 1970) return null;
  return Math.floor(ms / 1000) - offsetSeconds(offset);
}

function offsetSeconds(offset: string | undefined): number {
  if (offset === undefined || offset.toUpperCase() === 'Z') return 0;
  const digits = offset.slice(1).replace(':', '');
  const seconds = Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2)) * 60;
  return offset.startsWith('-') ? -seconds : seconds;
}

function singleValue(query: FilterQuery, field: string, problems: FieldProblem[]): string | undefined {
  const raw = query[field];
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') return raw === '' ? undefined : raw;
  const distinct = [...new Set(raw.filter((v) => v !== ''))];
  if (distinct.length > 1) {
    problems.push({ field, problem: 'must be given at most once' });
    return undefined;
  }
  return distinct[0];
}

function parseOutcomes(raw: string | readonly string[] | undefined, problems: FieldProblem[]): Outcome[] | undefined {
  if (raw === undefined) return undefined;
  const parts = (typeof raw === 'string' ? [raw] : raw).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (parts.length === 0) return undefined;
  const unknown = parts.filter((p) => !(OUTCOMES as readonly string[]).includes(p));
  if (unknown.length > 0) {
    problems.push({ field: 'outcome', problem: `must be one or more of ${OUTCOMES.join(', ')} (got ${JSON.stringify(unknown[0]?.slice(0, 40))})` });
    return undefined;
  }
  return OUTCOMES.filter((o) => parts.includes(o));
}

function textProblem(raw: string, maxChars: number): string | null {
  if (CONTROL_CHARS.test(raw)) return 'must not contain control characters';
  if (raw.length > maxChars) return `must be at most ${maxChars} characters`;
  return null;
}
