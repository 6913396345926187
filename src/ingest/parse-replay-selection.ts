import type { FieldProblem } from '../domain/call-event.js';
import { parseTime } from '../domain/parse-call-filter.js';
import { MAX_REPLAY_IDS, type ReplaySelection } from './replay-quarantine.js';

/**
 * Reads which quarantine entries to replay, from the CLI's flags or the API's JSON body:
 * `since` (Unix seconds, ISO-8601 or relative like -24h) and/or `ids` (quarantine entry
 * ids, at most MAX_REPLAY_IDS). Every problem is reported, never thrown.
 */
export function parseReplaySelection(input: { since?: unknown; ids?: unknown }, nowMs: number): { ok: true; selection: ReplaySelection } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const selection: ReplaySelection = {};
  if (input.since !== undefined && input.since !== null) {
    const seconds = typeof input.since === 'string' ? parseTime(input.since.trim(), nowMs) : 'must be a time, as text';
    if (typeof seconds === 'string') problems.push({ field: 'since', problem: seconds });
    else selection.since = seconds * 1000;
  }
  if (input.ids !== undefined && input.ids !== null) {
    const list = Array.isArray(input.ids) ? input.ids : [input.ids];
    const ids = list.map((v) => (typeof v === 'string' && /^[1-9][0-9]{0,15}$/.test(v.trim()) ? Number(v) : v));
    if (ids.length === 0 || ids.length > MAX_REPLAY_IDS) problems.push({ field: 'ids', problem: `must name 1 to ${MAX_REPLAY_IDS} quarantine entries` });
    else if (!ids.every((id) => Number.isSafeInteger(id) && (id as number) > 0)) problems.push({ field: 'ids', problem: 'must be quarantine entry ids (whole numbers from 1)' });
    else selection.ids = ids as number[];
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, selection };
}
