import type { GroupCallEvent } from '../group-call-event.js';
import { buildParticipantStays } from './build-participant-stays.js';
import type { GroupClock, GroupSession, ParticipantStay, SessionState } from './group-session.js';
import { orderGroupEvents } from './order-group-events.js';
import { GROUP_RULES_VERSION, type GroupFlag } from './stay-status.js';

/**
 * Rebuilds a room session from the events of one sid (docs/spec/group-calls.md §1-3):
 * the room, its start, end and state, the online counts and every participant's stays
 * with their status. A function of the set of events: any order, any repeats, the same
 * session. Null when there is no event.
 *
 * @example buildGroupSession(events, { now: Date.now(), deadlineMs: 7_200_000 })?.state // 'ended'
 */
export function buildGroupSession(events: readonly GroupCallEvent[], clock: GroupClock): GroupSession | null {
  const ordered = orderGroupEvents(events);
  const first = ordered[0];
  const last = ordered.at(-1);
  if (first === undefined || last === undefined) return null;
  const start = ordered.find((e) => e.sc === 'S');
  const end = ordered.find((e) => e.sc === 'E');
  const room = start ?? first;
  const startedAt = room.ts;
  const endedAt = end?.ts ?? null;
  const dueAt = endedAt === null ? last.ts + clock.deadlineMs : null;
  const stays = buildParticipantStays(ordered, endedAt);
  const peakStays = peakOpenStays(stays);
  const peakOnline = ordered.reduce((peak, e) => Math.max(peak, e.online), 0);
  return {
    sid: room.sid,
    svc_id: room.svc_id,
    id: room.id,
    host_svc_id: room.host_svc_id,
    host_id: room.host_id,
    media_type: room.media_type,
    state: stateOf(endedAt, dueAt, clock.now),
    started_at: startedAt,
    ended_at: endedAt,
    duration_ms: endedAt === null ? null : endedAt - startedAt,
    end_due_at: dueAt,
    participants: new Set(stays.filter((s) => s.joined_at !== null).map((s) => JSON.stringify([s.user_svc_id, s.user_id]))).size,
    peak_online: peakOnline,
    final_online: last.online,
    peak_stays: peakStays,
    event_count: ordered.length,
    stays,
    flags: sessionFlags(ordered, room, { hasStart: start !== undefined, endedAt, peakOnline, peakStays }),
    rules_version: GROUP_RULES_VERSION,
  };
}

function stateOf(endedAt: number | null, dueAt: number | null, now: number): SessionState {
  if (endedAt !== null) return 'ended';
  return dueAt !== null && now > dueAt ? 'end_missing' : 'in_progress';
}

/**
 * The most joined stays open at one instant, each over [joined_at, left_at): a leave at t comes before a join at t.
 * With `from`, the count goes on from an earlier one, with only the joins and leaves after `from.after`.
 */
export function peakOpenStays(stays: ReadonlyArray<Pick<ParticipantStay, 'joined_at' | 'left_at'>>, from: PeakSoFar = NOTHING_SO_FAR): number {
  const changes: Array<[number, number]> = [];
  for (const stay of stays) {
    if (stay.joined_at === null) continue;
    if (stay.joined_at > from.after) changes.push([stay.joined_at, 1]);
    if (stay.left_at !== null && stay.left_at > from.after) changes.push([stay.left_at, -1]);
  }
  changes.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = from.open;
  let peak = from.peak;
  for (const [, change] of changes) {
    open += change;
    peak = Math.max(peak, open);
  }
  return peak;
}

/**
 * Where a count of open stays stands at an instant: the stays open then and the peak until
 * then. peakOpenStays goes on from it with the joins and leaves after it alone.
 */
export interface PeakSoFar {
  /** Unix milliseconds. */
  after: number;
  open: number;
  peak: number;
}

const NOTHING_SO_FAR: PeakSoFar = { after: Number.NEGATIVE_INFINITY, open: 0, peak: 0 };

interface SessionFacts {
  hasStart: boolean;
  endedAt: number | null;
  peakOnline: number;
  peakStays: number;
}

function sessionFlags(ordered: readonly GroupCallEvent[], room: GroupCallEvent, facts: SessionFacts): GroupFlag[] {
  const flags: GroupFlag[] = [];
  const count = (test: (e: GroupCallEvent) => boolean) => ordered.filter(test).length;
  if (!facts.hasStart) flags.push({ code: 'start_missing', message: 'no room start (sc=S) was received: the session starts at its first event' });
  const otherSid = count((e) => e.sid !== room.sid);
  if (otherSid > 0) flags.push({ code: 'sid_differs', message: `${otherSid} event(s) carry another sid than ${room.sid}` });
  const otherRoom = count((e) => e.svc_id !== room.svc_id || e.id !== room.id);
  if (otherRoom > 0) flags.push({ code: 'room_differs', message: `${otherRoom} event(s) name another room than ${room.svc_id}/${room.id}` });
  const endedAt = facts.endedAt;
  const late = endedAt === null ? 0 : count((e) => e.ts > endedAt);
  if (late > 0) flags.push({ code: 'event_after_end', message: `${late} event(s) happened after the room ended` });
  const disagrees = onlineDisagrees(facts.peakOnline, facts.peakStays);
  if (disagrees !== null) flags.push(disagrees);
  return flags;
}

/** The session's `online_disagrees` flag (§1.7), always its last flag; null when the counts agree. */
export function onlineDisagrees(peakOnline: number, peakStays: number): GroupFlag | null {
  if (peakOnline === peakStays) return null;
  return { code: 'online_disagrees', message: `LINE Planet reported at most ${peakOnline} online, the stays rebuilt from events give ${peakStays}` };
}
