import type { GroupCallEvent } from '../group-call-event.js';
import { classifyStay } from './classify-stay.js';
import { compareText } from './order-group-events.js';
import type { ParticipantStay } from './group-session.js';
import type { GroupFlag, StayEnd } from './stay-status.js';

/** A stay while its events are read: what is known of it before its end. */
type Draft = Pick<ParticipantStay, 'user_svc_id' | 'user_id' | 'display_name' | 'ue_type' | 'media_type' | 'media_changes' | 'joined_at' | 'flags'>;

/**
 * Every participant's stays (docs/spec/group-calls.md §2), from a room's events in the
 * order of orderGroupEvents(). `endedAt` is the session's end, or null while it has none.
 * Stays come ordered by when they opened, then by participant.
 */
export function buildParticipantStays(ordered: readonly GroupCallEvent[], endedAt: number | null): ParticipantStay[] {
  const stays: ParticipantStay[] = [];
  for (const events of byParticipant(ordered).values()) stays.push(...staysOfParticipant(events, endedAt));
  return stays.sort(compareStayOrder);
}

/**
 * The order of a session's stays: by when they opened, then by participant. Sorting is
 * stable, so one participant's stays keep the order staysOfParticipant gave them.
 */
export function compareStayOrder(a: ParticipantStay, b: ParticipantStay): number {
  return openedAt(a) - openedAt(b) || compareText(a.user_svc_id, b.user_svc_id) || compareText(a.user_id, b.user_id);
}

/** One participant's stays (§2), from their events alone in the order of orderGroupEvents(). */
export function staysOfParticipant(events: readonly GroupCallEvent[], endedAt: number | null): ParticipantStay[] {
  const stays: ParticipantStay[] = [];
  let open: Draft | null = null;
  for (const event of events) {
    switch (event.msc) {
      case 'C':
        if (open !== null) stays.push(close(leaveMissing(open), event.ts, 'rejoin', null));
        open = draft(event, []);
        break;
      case 'M':
        if (open === null) open = draft(event, [{ code: 'join_missing', message: 'the stay was opened by a media change: its connect event was not received' }]);
        else {
          open.media_changes.push({ ts: event.ts, media_type: event.media_type });
          open.display_name ??= event.display_name;
        }
        break;
      case 'D':
      case 'T':
        stays.push(close(open ?? { ...draft(event, []), joined_at: null }, event.ts, event.msc, event));
        open = null;
        break;
    }
  }
  if (open !== null) {
    const joinedAt = open.joined_at ?? 0;
    stays.push(endedAt === null ? close(open, null, 'open', null) : close(leaveMissing(open), Math.max(endedAt, joinedAt), 'room_end', null));
  }
  return stays;
}

function draft(event: GroupCallEvent, flags: GroupFlag[]): Draft {
  return {
    user_svc_id: event.user_svc_id,
    user_id: event.user_id,
    display_name: event.display_name,
    ue_type: event.ue_type,
    media_type: event.media_type,
    media_changes: [],
    joined_at: event.ts,
    flags,
  };
}

function leaveMissing(stay: Draft): Draft {
  stay.flags.push({ code: 'leave_missing', message: "the participant's leave was not received" });
  return stay;
}

/** A finished stay: its end, the codes of the event that ended it, and its status. */
function close(stay: Draft, leftAt: number | null, end: StayEnd, by: GroupCallEvent | null): ParticipantStay {
  const disconnect_reason = by?.disconnect_reason ?? null;
  const releaser_type = by?.releaser_type ?? null;
  const duration_ms = stay.joined_at !== null && leftAt !== null ? leftAt - stay.joined_at : null;
  const verdict = classifyStay({ joined: stay.joined_at !== null, end, disconnect_reason, releaser_type, duration_ms });
  return {
    user_svc_id: stay.user_svc_id,
    user_id: stay.user_id,
    display_name: stay.display_name ?? by?.display_name ?? null,
    ue_type: stay.ue_type,
    media_type: stay.media_type,
    media_changes: stay.media_changes,
    joined_at: stay.joined_at,
    left_at: leftAt,
    duration_ms,
    end,
    disconnect_reason,
    releaser_type,
    status: verdict.status,
    ended_by: verdict.ended_by,
    reason: verdict.reason,
    explanation: verdict.explanation,
    flags: [...stay.flags, ...verdict.flags],
  };
}

/** Each participant's events, in the given order. */
function byParticipant(ordered: readonly GroupCallEvent[]): Map<string, GroupCallEvent[]> {
  const groups = new Map<string, GroupCallEvent[]>();
  for (const event of ordered) {
    const key = JSON.stringify([event.user_svc_id, event.user_id]);
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = []));
    group.push(event);
  }
  return groups;
}

/** When a stay opened: its join, or for a stay that never joined its end. */
export function openedAt(stay: Pick<ParticipantStay, 'joined_at' | 'left_at'>): number {
  return stay.joined_at ?? stay.left_at ?? 0;
}
