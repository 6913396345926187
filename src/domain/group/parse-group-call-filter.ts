import { MAX_ID_BYTES, type FieldProblem } from '../call-event.js';
import { utf8ByteLength } from '../utf8-byte-length.js';
import type { SessionState } from './group-session.js';
import { STAY_STATUSES, type StayStatus } from './stay-status.js';

/** Which group calls a list selects (docs/api.md, `GET /api/group-calls`); every filter is optional, all given must hold. */
export interface GroupCallFilter {
  /** The room: its service id and room id. */
  svc_id?: string;
  id?: string;
  host_svc_id?: string;
  host_id?: string;
  /** A participant with a stay in the session (user_svc_id narrows it to one service). */
  user_svc_id?: string;
  user_id?: string;
  /** started_at in [from, to), Unix milliseconds. */
  from?: number;
  to?: number;
  state?: SessionState;
  /** Sessions with at least one stay in this status. */
  stay_status?: StayStatus;
}

/** The id parameters of a group call list, each compared exactly. */
export const GROUP_FILTER_IDS = ['svc_id', 'id', 'host_svc_id', 'host_id', 'user_svc_id', 'user_id'] as const;
/** The states a group call list filters on (docs/spec/group-calls.md §1.5). */
export const SESSION_STATES: readonly SessionState[] = ['ended', 'in_progress', 'end_missing'];

/** Query parameters as Fastify hands them over: a repeated key is an array. */
export type GroupFilterQuery = Record<string, string | readonly string[] | undefined>;

/**
 * Reads a group call list's filters from its query parameters: ids exactly (no control
 * characters, MAX_ID_BYTES), `from`/`to` as an ISO 8601 time or Unix milliseconds,
 * `state` and `stay_status` from their lists. Every refused parameter is named.
 *
 * @example parseGroupCallFilter({ id: 'room-1', state: 'ended' }) // { ok: true, filter: { id: 'room-1', state: 'ended' } }
 */
export function parseGroupCallFilter(query: GroupFilterQuery): { ok: true; filter: GroupCallFilter } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const filter: GroupCallFilter = {};
  const once = (field: string): string | undefined => {
    const value = query[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') problems.push({ field, problem: 'must be given at most once' });
    return typeof value === 'string' ? value : undefined;
  };
  for (const field of GROUP_FILTER_IDS) {
    const value = once(field);
    if (value === undefined) continue;
    if (value === '' || utf8ByteLength(value) > MAX_ID_BYTES || /[\u0000-\u001f\u007f]/.test(value)) {
      problems.push({ field, problem: `must be 1 to ${MAX_ID_BYTES} bytes without control characters` });
    } else filter[field] = value;
  }
  for (const field of ['from', 'to'] as const) {
    const value = once(field);
    if (value === undefined) continue;
    const ms = timeOf(value);
    if (ms === null) problems.push({ field, problem: 'must be an ISO 8601 time with a zone (2026-01-31T09:00:00Z) or Unix milliseconds' });
    else filter[field] = ms;
  }
  const state = once('state');
  if (state !== undefined) {
    if ((SESSION_STATES as readonly string[]).includes(state)) filter.state = state as SessionState;
    else problems.push({ field: 'state', problem: `must be one of ${SESSION_STATES.join(', ')}` });
  }
  const stayStatus = once('stay_status');
  if (stayStatus !== undefined) {
    if ((STAY_STATUSES as readonly string[]).includes(stayStatus)) filter.stay_status = stayStatus as StayStatus;
    else problems.push({ field: 'stay_status', problem: `must be one of ${STAY_STATUSES.join(', ')}` });
  }
  if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) problems.push({ field: 'to', problem: 'must be after from' });
  return problems.length === 0 ? { ok: true, filter } : { ok: false, problems };
}

function timeOf(text: string): number | null {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
