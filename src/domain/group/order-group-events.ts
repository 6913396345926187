import { canonicalizeGroupCallEvent } from '../canonical-group-call-event.js';
import type { GroupCallEvent, ParticipantStatus, RoomStatus } from '../group-call-event.js';

const ROOM_RANK: Record<RoomStatus, number> = { S: 0, C: 1, E: 2 };
const PARTICIPANT_RANK: Record<ParticipantStatus, number> = { C: 0, M: 1, D: 2, T: 3 };

/**
 * A room's events, one per key, in the order of docs/spec/group-calls.md §1 (rules 1-2):
 * by ts; then room start, change, end; then connect, media change, disconnect, time-out;
 * then participant, sid and canonical form. Of two versions of one key the one whose
 * canonical form sorts first stays. The order of the input plays no part.
 */
export function orderGroupEvents(events: readonly GroupCallEvent[]): GroupCallEvent[] {
  // The canonical form only breaks ties between versions of one key (every other sort field
  // equal), which are rare: made on demand, not for every event of every rebuild.
  const canonical = new Map<GroupCallEvent, string>();
  const canonicalOf = (event: GroupCallEvent): string => {
    let text = canonical.get(event);
    if (text === undefined) canonical.set(event, (text = canonicalizeGroupCallEvent(event)));
    return text;
  };
  const sorted = [...events].sort((x, y) => compareKeyFields(x, y) || compareText(canonicalOf(x), canonicalOf(y)));
  const distinct: GroupCallEvent[] = [];
  let previous: GroupCallEvent | undefined;
  // The sort fields before the canonical form are the key's (GROUP_EVENT_KEY_FIELDS): versions of one key are adjacent.
  for (const event of sorted) {
    if (previous === undefined || compareKeyFields(previous, event) !== 0) distinct.push(event);
    previous = event;
  }
  return distinct;
}

/** The order of rule 2 before the canonical form: 0 exactly when both events have the same key. */
function compareKeyFields(x: GroupCallEvent, y: GroupCallEvent): number {
  return (
    x.ts - y.ts ||
    ROOM_RANK[x.sc] - ROOM_RANK[y.sc] ||
    PARTICIPANT_RANK[x.msc] - PARTICIPANT_RANK[y.msc] ||
    compareText(x.user_svc_id, y.user_svc_id) ||
    compareText(x.user_id, y.user_id) ||
    compareText(x.sid, y.sid)
  );
}

/** Code-unit order of two strings, the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
