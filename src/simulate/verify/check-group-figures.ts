import type { GroupFigures } from '../../domain/group/group-figures.js';
import type { SessionState } from '../../domain/group/group-session.js';
import { summarizeGroupSessions } from '../../domain/group/summarize-group-sessions.js';
import type { ApiClient } from '../api-client.js';
import type { GroupGroundTruth, GroupTruthRoom } from '../group/group-ground-truth.js';
import { type CheckResult, checkResult, sameFigure, show, skipped } from './check-result.js';

const NAME = 'group figures';
/** Within this many milliseconds of a room's end_due_at, in_progress and end_missing are both accepted (as for the sessions). */
const DUE_TOLERANCE_MS = 10_000;

/**
 * Compares `GET /api/stats/group` over the run's window (every room starts in it) with
 * the figures of docs/spec/group-calls.md §4 computed from the truth's rooms, every figure
 * exactly (ratios and averages to 1e-9). The state of an unended room is judged at `now`:
 * `sessions_end_missing` may be off by the rooms whose end_due_at is within 10 s of it.
 * When the server counts another number of sessions in the window than the run sent, the
 * window holds other rooms: a skip, unless the run owns the database (`exclusive`), where
 * it fails. A server without the route gets a skip.
 */
export async function checkGroupFigures(truth: GroupGroundTruth, api: ApiClient, options: { exclusive: boolean; now: () => number }): Promise<CheckResult> {
  if (truth.rooms.length === 0) return skipped(NAME, 'no rooms expected');
  const { from, to } = truth.figures;
  const path = `/api/stats/group?from=${from}&to=${to}`;
  const answer = await api.get(path);
  const now = options.now();
  if (answer.status === 404) return skipped(NAME, 'not available on this server (no GET /api/stats/group)');
  const summary = (answer.body as { summary?: unknown } | null)?.summary;
  if (answer.status !== 200 || typeof summary !== 'object' || summary === null) {
    return checkResult(NAME, [`GET ${path}: HTTP ${answer.status} ${show(answer.body).slice(0, 200)}`], 'the figures could not be read');
  }
  const sessions = (summary as { sessions?: unknown }).sessions;
  if (sessions !== truth.rooms.length && !options.exclusive) {
    return skipped(NAME, `the window holds ${show(sessions)} sessions, the run sent ${truth.rooms.length} rooms: other traffic (run verify --group --exclusive on a database of the run alone to judge it)`);
  }
  const expected = expectedGroupFigures(truth.rooms, now);
  const problems = compareGroupFigures(expected, summary as Record<string, unknown>, uncertainEndMissing(truth.rooms, now));
  const judgedCount = Object.keys(expected).length;
  return checkResult(NAME, problems, `${judgedCount - problems.length}/${judgedCount} figures match over [${from}, ${to}) (${expected.sessions} sessions, ${expected.stays} stays)`);
}

/** The group figures of the truth's rooms, each room in the state it has at `now`. Pure. */
export function expectedGroupFigures(rooms: readonly GroupTruthRoom[], now: number): GroupFigures {
  return summarizeGroupSessions(rooms.map((room) => ({ ...room.session, state: stateAt(room, now), stays: room.stays })));
}

/** How many unended rooms are within the tolerance of their end_due_at at `now`: end_missing may count them or not. */
export function uncertainEndMissing(rooms: readonly GroupTruthRoom[], now: number): number {
  return rooms.filter((room) => room.session.end_due_at !== null && Math.abs(now - room.session.end_due_at) <= DUE_TOLERANCE_MS).length;
}

/**
 * Every figure of `expected` the server answered differently. `sessions_end_missing` may
 * be higher than expected by up to `uncertain` (rooms on the edge of their deadline, whose
 * count moves between in_progress and end_missing). Pure.
 */
export function compareGroupFigures(expected: GroupFigures, got: Record<string, unknown>, uncertain = 0): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(expected)) {
    const have = got[key];
    if (key === 'sessions_end_missing' && typeof have === 'number' && have >= (value as number) && have <= (value as number) + uncertain) continue;
    if (!sameFigure(value, have)) problems.push(`${key}: expected ${show(value)}, got ${show(have)}`);
  }
  return problems;
}

function stateAt(room: GroupTruthRoom, now: number): SessionState {
  const due = room.session.end_due_at;
  if (due === null) return 'ended';
  // On the edge both states are accepted: count it as in_progress, the lower bound of end_missing (compareGroupFigures).
  return now - due > DUE_TOLERANCE_MS ? 'end_missing' : 'in_progress';
}

