import { plural } from '../../domain/plural.js';
import type { ApiClient } from '../api-client.js';
import type { GroupGroundTruth, GroupTruthRoom } from '../group/group-ground-truth.js';
import { type CheckResult, checkResult, mapConcurrently, show, skipped } from './check-result.js';

const NAME = 'group sessions stored as expected';

/**
 * Around a room's end_due_at the server's clock and ours may disagree on in_progress or
 * end_missing: within this many milliseconds of it, either is accepted.
 */
const DUE_TOLERANCE_MS = 10_000;

/**
 * Reads every room back through `GET /api/group-calls/:sid` (the session's fields and its
 * `stays`, as buildGroupSession gives them, with what storage adds: docs/api.md) and
 * compares them with the truth. The state is judged at `now`, from the room's
 * end_due_at. SKIP when the server has no such route.
 */
export async function checkGroupSessions(rooms: readonly GroupTruthRoom[], api: ApiClient, options: { concurrency: number; now: () => number }): Promise<CheckResult> {
  const problems: string[] = [];
  let routeMissing = 0;
  await mapConcurrently(rooms, options.concurrency, async (room) => {
    const answer = await api.get(`/api/group-calls/${encodeURIComponent(room.sid)}`);
    const body = answer.body as { stays?: unknown[]; error?: { message?: string } } | null;
    if (answer.status === 404 && /^No route/.test(body?.error?.message ?? '')) {
      routeMissing++;
      return;
    }
    if (answer.status !== 200 || body === null || !Array.isArray(body.stays)) {
      problems.push(`${room.sid}: HTTP ${answer.status} ${show(answer.body).slice(0, 200)}`);
      return;
    }
    const { stays, ...session } = body as Record<string, unknown> & { stays: unknown[] };
    problems.push(...compareRoom(room, session, stays, options.now()));
  });
  if (routeMissing === rooms.length && rooms.length > 0) return skipped(NAME, 'not available on this server (no GET /api/group-calls/:sid)');
  const failed = new Set(problems.map((p) => p.slice(0, 32))).size;
  return checkResult(NAME, problems, `${rooms.length - failed}/${plural(rooms.length, 'room')} match (session, state at now, every stay)`);
}

/** The mismatches of one room: every key of the truth's session (state judged at `now`) and of each stay. */
export function compareRoom(room: GroupTruthRoom, session: Record<string, unknown>, stays: readonly unknown[], now: number): string[] {
  const problems: string[] = [];
  for (const [key, expected] of Object.entries(room.session)) {
    if (key === 'state') continue;
    if (show(session[key]) !== show(expected)) problems.push(`${room.sid}: ${key} expected ${show(expected)}, stored ${show(session[key])}`);
  }
  const states = expectedStates(room, now);
  if (!states.includes(session.state as string)) problems.push(`${room.sid}: state expected ${states.join(' or ')}, stored ${show(session.state)}`);
  if (stays.length !== room.stays.length) problems.push(`${room.sid}: ${plural(room.stays.length, 'stay')} expected, ${stays.length} stored`);
  room.stays.forEach((expected, i) => {
    const stored = (stays[i] ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) {
      if (show(stored[key]) !== show(value)) problems.push(`${room.sid}: stay ${i} (${expected.user_id}) ${key} expected ${show(value)}, stored ${show(stored[key])}`);
    }
  });
  return problems;
}

/** The states a room may be in at `now` (docs/spec/group-calls.md §1.5): both near its end_due_at. */
function expectedStates(room: GroupTruthRoom, now: number): string[] {
  const due = room.session.end_due_at;
  if (due === null) return ['ended'];
  if (Math.abs(now - due) <= DUE_TOLERANCE_MS) return ['in_progress', 'end_missing'];
  return [now > due ? 'end_missing' : 'in_progress'];
}

/** Every event of the run was answered 2xx: otherwise the server may rightly lack some. */
export function checkGroupAcknowledged(truth: GroupGroundTruth): CheckResult {
  const problems = truth.rooms
    .filter((room) => room.unacknowledged_events > 0)
    .map((room) => `${room.sid}: ${plural(room.unacknowledged_events, 'event')} never answered 2xx`);
  return checkResult('group events answered', problems, `${truth.totals.events - truth.totals.unacknowledged_events}/${plural(truth.totals.events, 'event')} answered 2xx`);
}
