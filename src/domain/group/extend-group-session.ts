import type { GroupCallEvent } from '../group-call-event.js';
import { onlineDisagrees } from './build-group-session.js';
import { compareStayOrder, openedAt, staysOfParticipant } from './build-participant-stays.js';
import type { ParticipantStay } from './group-session.js';
import { orderGroupEvents } from './order-group-events.js';
import type { GroupFlag } from './stay-status.js';

/**
 * What a stored session that has not ended says of itself: the columns an extension
 * changes, and what identifies its room (docs/spec/group-calls.md §1).
 */
export interface OpenSessionFacts {
  sid: string;
  svc_id: string;
  id: string;
  /** Unix milliseconds: the latest `ts` among its events. */
  last_event_at: number;
  participants: number;
  peak_online: number;
  final_online: number;
  peak_stays: number;
  event_count: number;
  flags: GroupFlag[];
  /** How many stays are stored (the next new stay's seq). */
  stay_count: number;
  /** How many stored stays joined and have not left. */
  open_stays: number;
}

/** One participant the new events are about: all their events (the new ones included) and their stored stays by seq. */
export interface ParticipantHistory {
  events: readonly GroupCallEvent[];
  stays: ReadonlyArray<{ seq: number } & Pick<ParticipantStay, 'joined_at' | 'left_at'>>;
}

/** The session after the new events: its changed columns, and every stay of the participants concerned with its seq. */
export interface SessionExtension {
  session: Pick<OpenSessionFacts, 'last_event_at' | 'participants' | 'peak_online' | 'final_online' | 'peak_stays' | 'event_count' | 'flags'>;
  /** The participants' stays: the stored ones at their seq (changed or not), the new ones from `stay_count` on. */
  stays: Array<{ seq: number; stay: ParticipantStay }>;
}

/**
 * Whether `fresh` events can be added to a stored session without rebuilding it: they all
 * come after every stored event (a `ts` past `last_event_at`, so in the order of §1 rule 2
 * they come last), are changes (`sc=C`: a start would move the room, an end closes every
 * stay) of the same room and sid. Then only their participants' stays change, and the
 * stays that open come after every stored one.
 */
export function canExtendGroupSession(before: OpenSessionFacts, fresh: readonly GroupCallEvent[]): boolean {
  return fresh.length > 0 && fresh.every((e) =>
    e.sc === 'C' && e.ts > before.last_event_at && e.sid === before.sid && e.svc_id === before.svc_id && e.id === before.id);
}

/**
 * The session that buildGroupSession would give for the stored events and `fresh` ones
 * (which must pass canExtendGroupSession), worked out from the stored session and the
 * histories of `fresh`'s participants alone: a cost that does not grow with the room.
 * Null when a participant's stored stays are not those its events give (the stored session
 * is then rebuilt whole). The property test in extend-group-session.property.test.ts holds
 * it to the builder.
 */
export function extendGroupSession(before: OpenSessionFacts, fresh: readonly GroupCallEvent[], histories: readonly ParticipantHistory[]): SessionExtension | null {
  const kept: Array<{ seq: number; stay: ParticipantStay }> = [];
  const opened: ParticipantStay[] = [];
  let newParticipants = 0;
  for (const history of histories) {
    const stays = staysOfParticipant(orderGroupEvents(history.events), null);
    if (stays.length < history.stays.length) return null;
    for (const [i, stored] of history.stays.entries()) {
      const stay = stays[i] as ParticipantStay;
      // Events after every stored one never move a stored stay's opening (§2).
      if (openedAt(stay) !== openedAt(stored)) return null;
      kept.push({ seq: stored.seq, stay });
    }
    opened.push(...stays.slice(history.stays.length));
    const joinedBefore = history.stays.some((s) => s.joined_at !== null);
    if (!joinedBefore && stays.some((s) => s.joined_at !== null)) newParticipants++;
  }
  // Every opened stay opens at a fresh event's ts, after every stored one: they take the next seqs.
  opened.sort(compareStayOrder);
  const last = orderGroupEvents(fresh).at(-1) as GroupCallEvent;
  const peakOnline = Math.max(before.peak_online, ...fresh.map((e) => e.online));
  const peakStays = peakAfter(before, kept.map((k) => k.stay).concat(opened));
  return {
    session: {
      last_event_at: last.ts,
      participants: before.participants + newParticipants,
      peak_online: peakOnline,
      final_online: last.online,
      peak_stays: peakStays,
      event_count: before.event_count + fresh.length,
      flags: withOnlineCheck(before.flags, peakOnline, peakStays),
    },
    stays: kept.concat(opened.map((stay, i) => ({ seq: before.stay_count + i, stay }))),
  };
}

/**
 * peak_stays (§1.7) over the stored stays and the changed ones. Every join and leave up to
 * `last_event_at` is as stored, so the stored peak is the peak until then; after it, the
 * count starts at the stays still open and moves only with the participants' joins and
 * leaves past it, a leave before a join at the same instant (as peakOpenStays).
 */
function peakAfter(before: OpenSessionFacts, stays: readonly ParticipantStay[]): number {
  const changes: Array<[number, number]> = [];
  for (const stay of stays) {
    if (stay.joined_at === null) continue;
    if (stay.joined_at > before.last_event_at) changes.push([stay.joined_at, 1]);
    if (stay.left_at !== null && stay.left_at > before.last_event_at) changes.push([stay.left_at, -1]);
  }
  changes.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = before.open_stays;
  let peak = before.peak_stays;
  for (const [, change] of changes) {
    open += change;
    peak = Math.max(peak, open);
  }
  return peak;
}

/** The stored flags with online_disagrees (always the last, §1.7) said again for the new counts; no other flag can change. */
function withOnlineCheck(flags: readonly GroupFlag[], peakOnline: number, peakStays: number): GroupFlag[] {
  const disagrees = onlineDisagrees(peakOnline, peakStays);
  return [...flags.filter((f) => f.code !== 'online_disagrees'), ...(disagrees === null ? [] : [disagrees])];
}
