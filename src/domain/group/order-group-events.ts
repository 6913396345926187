import { canonicalizeGroupCallEvent, groupCallEventKeyOf } from '../canonical-group-call-event.js';
import type { GroupCallEvent, ParticipantStatus, RoomStatus } from '../group-call-event.js';

const ROOM_RANK: Record<RoomStatus, number> = { S: 0, C: 1, E: 2 };
const PARTICIPANT_RANK: Record<ParticipantStatus, number> = { C: 0, M: 1, D: 2, T: 3 };

interface Keyed {
  event: GroupCallEvent;
  key: string;
  canonical: string;
}

/**
 * A room's events, one per key, in the order of docs/spec/group-calls.md §1 (rules 1-2):
 * by ts; then room start, change, end; then connect, media change, disconnect, time-out;
 * then participant, sid and canonical form. Of two versions of one key the one whose
 * canonical form sorts first stays. The order of the input plays no part.
 */
export function orderGroupEvents(events: readonly GroupCallEvent[]): GroupCallEvent[] {
  const keyed: Keyed[] = events.map((event) => ({ event, key: groupCallEventKeyOf(event), canonical: canonicalizeGroupCallEvent(event) }));
  keyed.sort(compareKeyed);
  const distinct: GroupCallEvent[] = [];
  let previousKey: string | null = null;
  // Versions of one key share every sort field before the canonical form, so they are adjacent.
  for (const { event, key } of keyed) {
    if (key !== previousKey) distinct.push(event);
    previousKey = key;
  }
  return distinct;
}

function compareKeyed(a: Keyed, b: Keyed): number {
  const x = a.event;
  const y = b.event;
  return (
    x.ts - y.ts ||
    ROOM_RANK[x.sc] - ROOM_RANK[y.sc] ||
    PARTICIPANT_RANK[x.msc] - PARTICIPANT_RANK[y.msc] ||
    compareText(x.user_svc_id, y.user_svc_id) ||
    compareText(x.user_id, y.user_id) ||
    compareText(x.sid, y.sid) ||
    compareText(a.canonical, b.canonical)
  );
}

/** Code-unit order of two strings, the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
