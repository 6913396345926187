import type { GroupCallEvent } from '../group-call-event.js';
import { onlineDisagrees, peakOpenStays } from './build-group-session.js';
import { compareStayOrder, openedAt, staysOfParticipant } from './build-participant-stays.js';
import type { GroupSession, ParticipantStay } from './group-session.js';
import { orderGroupEvents } from './order-group-events.js';
import type { GroupFlag } from './stay-status.js';

/**
 * What a stored session that has not ended says of itself: the columns an update changes,
 * what identifies its room (docs/spec/group-calls.md §1), and its stays' counts.
 */
export type OpenSessionFacts = Pick<GroupSession, 'sid' | 'svc_id' | 'id' | 'started_at' | 'participants' | 'peak_online' | 'final_online' | 'peak_stays' | 'event_count' | 'flags'> & {
  /** Unix milliseconds: the latest `ts` among its events. */
  last_event_at: number;
  /** How many stays are stored (the next new stay's seq). */
  stay_count: number;
  /** How many stored stays joined and have not left. */
  open_stays: number;
};

/** What decides whether new events can update a session through their participants alone. */
export type SessionRoomFacts = Pick<OpenSessionFacts, 'sid' | 'svc_id' | 'id' | 'started_at' | 'last_event_at'>;

/**
 * Where a stored stay stands: its seq, and its join and leave, which give its opening (the
 * first key of compareStayOrder) and what peak_stays reads of it.
 */
export type StayPlace = { seq: number } & Pick<ParticipantStay, 'joined_at' | 'left_at'>;

/** A stored stay of a participant the new events are about. */
export type ParticipantPlace = StayPlace & Pick<ParticipantStay, 'user_svc_id' | 'user_id'>;

/** One participant the new events are about: all their events (the new ones included) and their stored stays. */
export interface ParticipantHistory {
  events: readonly GroupCallEvent[];
  stays: readonly ParticipantPlace[];
}

/** The session after the new events: its changed columns, the participants' stays at their seqs, and the other stays that move. */
export interface SessionUpdate {
  session: Pick<OpenSessionFacts, 'last_event_at' | 'participants' | 'peak_online' | 'final_online' | 'peak_stays' | 'event_count' | 'flags'>;
  /** Every stay of the participants concerned, at its seq. */
  stays: Array<{ seq: number; stay: ParticipantStay }>;
  /** The stored seqs of the participants' stays that no stay of theirs takes again. */
  vacated: number[];
  /** Other participants' stays whose seq changes, `from` ascending (a stay that opens or goes before them shifts them). */
  moves: Array<{ from: number; to: number }>;
}

/**
 * Whether `fresh` events can update a stored open session through their participants
 * alone: they are changes (`sc=C`: a start would move the room, an end closes every stay)
 * of the same room and sid, after the session's start (so that none becomes its first
 * event), and none at the very millisecond of its last event (whose `online` would then
 * depend on a tie-break with a stored event).
 */
export function canUpdateOpenSession(before: SessionRoomFacts, fresh: readonly GroupCallEvent[]): boolean {
  return fresh.length > 0 && fresh.every((e) =>
    e.sc === 'C' && e.ts > before.started_at && e.ts !== before.last_event_at && e.sid === before.sid && e.svc_id === before.svc_id && e.id === before.id);
}

/**
 * What an update reads besides the participants' histories, the least that gives the exact
 * answer: `none` when no stay opens and no join or leave moves that could change
 * peak_stays (a media change; a leave after every stored event); `counts` (how many stays,
 * how many open) when stays open after every stored event; `places` (every stay's place)
 * when a late event moves a join or a leave, or opens or removes a stay, anywhere.
 */
export type StaysNeeded = 'none' | 'counts' | 'places';

/**
 * An update worked out as far as the participants' histories go: their stays rebuilt from
 * their own events (sorted by compareStayOrder), their stored places, how many
 * participants it adds, and what else updateOpenSession needs read (StaysNeeded).
 */
export interface OpenSessionPlan {
  readonly rebuilt: readonly ParticipantStay[];
  readonly stored: readonly ParticipantPlace[];
  readonly participants: number;
  readonly needs: StaysNeeded;
}

/** Plans an update of `before` by `fresh` from their participants' histories (OpenSessionPlan). */
export function planOpenSessionUpdate(before: SessionRoomFacts, fresh: readonly GroupCallEvent[], histories: readonly ParticipantHistory[]): OpenSessionPlan {
  const rebuilt: ParticipantStay[] = [];
  const stored: ParticipantPlace[] = [];
  let participants = 0;
  let sameTimes = true;
  let opens = false;
  for (const history of histories) {
    const stays = staysOfParticipant(orderGroupEvents(history.events), null);
    const places = [...history.stays].sort((a, b) => a.seq - b.seq);
    rebuilt.push(...stays);
    stored.push(...places);
    participants += Number(stays.some(joined)) - Number(places.some(joined));
    opens ||= stays.length > places.length;
    sameTimes &&= stays.length === places.length &&
      places.every((place, i) => place.joined_at === stays[i]?.joined_at && place.left_at === stays[i]?.left_at);
  }
  // Stable: one participant's stays keep their order (compareStayOrder).
  rebuilt.sort(compareStayOrder);
  const late = fresh.some((e) => e.ts < before.last_event_at);
  const needs: StaysNeeded = sameTimes ? 'none' : late ? 'places' : opens ? 'counts' : 'none';
  return { rebuilt, stored, participants, needs };
}

/**
 * The session buildGroupSession would give for the stored events and `fresh` ones (which
 * must pass canUpdateOpenSession), worked out from the stored session and the plan of
 * `fresh`'s participants (planOpenSessionUpdate: their stays rebuilt from their own events,
 * §2): a cost that does not grow with the room unless a late event moves a join or a
 * leave. `before.stay_count` and `open_stays` are read only when the plan needs `counts`;
 * `places` must hold every stored stay's place when it needs `places`. Null when the stored
 * stays are not those their events give (the session is then rebuilt whole). The property
 * test in update-open-session.property.test.ts holds it to the builder.
 */
export function updateOpenSession(
  before: OpenSessionFacts,
  fresh: readonly GroupCallEvent[],
  plan: OpenSessionPlan,
  places: readonly StayPlace[] | null,
): SessionUpdate | null {
  const { rebuilt, stored, participants, needs } = plan;
  if (needs === 'places' && places === null) throw new Error('updateOpenSession: every stay\'s place is needed (the plan says so)');
  const order = needs === 'places' ? merged(places as readonly StayPlace[], stored, rebuilt) : appended(before, stored, rebuilt);
  if (order === null) return null;
  const peakStays = needs === 'places' ? peakOpenStays([...order.others, ...rebuilt]) : needs === 'counts' ? peakAfter(before, rebuilt) : before.peak_stays;
  const ordered = orderGroupEvents(fresh);
  const last = ordered.at(-1) as GroupCallEvent;
  const lastIsFresh = last.ts > before.last_event_at;
  const peakOnline = Math.max(before.peak_online, ...fresh.map((e) => e.online));
  return {
    session: {
      last_event_at: lastIsFresh ? last.ts : before.last_event_at,
      participants: before.participants + participants,
      peak_online: peakOnline,
      final_online: lastIsFresh ? last.online : before.final_online,
      peak_stays: peakStays,
      event_count: before.event_count + ordered.length,
      flags: withOnlineCheck(before.flags, peakOnline, peakStays),
    },
    stays: order.stays,
    vacated: stored.map((p) => p.seq).filter((seq) => !order.stays.some((s) => s.seq === seq)),
    moves: order.moves,
  };
}

function joined(stay: Pick<ParticipantStay, 'joined_at'>): boolean {
  return stay.joined_at !== null;
}

interface StayOrder {
  stays: Array<{ seq: number; stay: ParticipantStay }>;
  moves: Array<{ from: number; to: number }>;
  /** The other participants' stays (merged() only; appended() leaves peak_stays to peakAfter). */
  others: StayPlace[];
}

/**
 * Events after every stored one (§2): the participants' stored stays keep their seqs (an
 * event after a stay's opening never moves it), the stays they open take the next seqs,
 * and nothing else moves. Null when the stored stays do not open where their events say.
 */
function appended(before: OpenSessionFacts, stored: readonly ParticipantPlace[], rebuilt: readonly ParticipantStay[]): StayOrder | null {
  const storedOf = new Map<string, ParticipantPlace[]>();
  for (const place of [...stored].sort((a, b) => a.seq - b.seq)) storedOf.set(participantOf(place), [...(storedOf.get(participantOf(place)) ?? []), place]);
  const taken = new Map<string, number>();
  const stays: Array<{ seq: number; stay: ParticipantStay }> = [];
  let next = before.stay_count;
  // `rebuilt` is in compareStayOrder, each participant's stays in their own order: the i-th
  // of a participant is its i-th stored stay, or a new one (which opens after every stored one).
  for (const stay of rebuilt) {
    const i = taken.get(participantOf(stay)) ?? 0;
    taken.set(participantOf(stay), i + 1);
    const place = storedOf.get(participantOf(stay))?.[i];
    if (place === undefined) {
      if (openedAt(stay) <= before.last_event_at) return null;
      stays.push({ seq: next++, stay });
    } else if (openedAt(place) !== openedAt(stay)) return null;
    else stays.push({ seq: place.seq, stay });
  }
  for (const [participant, places] of storedOf) if ((taken.get(participant) ?? 0) < places.length) return null;
  return { stays, moves: [], others: [] };
}

function participantOf(stay: Pick<ParticipantStay, 'user_svc_id' | 'user_id'>): string {
  return JSON.stringify([stay.user_svc_id, stay.user_id]);
}

/**
 * Any events: the other participants' stays keep their order, the participants' rebuilt
 * stays go where compareStayOrder puts them, and every stay from there on shifts by how many
 * of theirs now come before it. Null when one of theirs opens at the very millisecond of
 * another participant's stay (compareStayOrder would then compare the participants, which
 * the places leave out: the session is rebuilt).
 */
function merged(places: readonly StayPlace[], stored: readonly StayPlace[], rebuilt: readonly ParticipantStay[]): StayOrder | null {
  const mine = new Set(stored.map((s) => s.seq));
  const others = places.filter((p) => !mine.has(p.seq)).sort((a, b) => a.seq - b.seq);
  const stays: Array<{ seq: number; stay: ParticipantStay }> = [];
  const moves: Array<{ from: number; to: number }> = [];
  let o = 0;
  let r = 0;
  while (o < others.length || r < rebuilt.length) {
    const other = others[o];
    const stay = rebuilt[r];
    const seq = o + r;
    const order = other === undefined ? 1 : stay === undefined ? -1 : openedAt(other) - openedAt(stay);
    if (order === 0) return null;
    if (order < 0) {
      const from = (other as StayPlace).seq;
      if (from !== seq) moves.push({ from, to: seq });
      o++;
    } else {
      stays.push({ seq, stay: stay as ParticipantStay });
      r++;
    }
  }
  return { stays, moves, others };
}

/**
 * peak_stays (§1.7) when every change comes after the stored events: every join and leave
 * up to `last_event_at` is as stored, so the stored peak is the peak until then, and the
 * count goes on from the stays still open with the participants' joins and leaves past it.
 */
function peakAfter(before: OpenSessionFacts, stays: readonly ParticipantStay[]): number {
  return peakOpenStays(stays, { after: before.last_event_at, open: before.open_stays, peak: before.peak_stays });
}

/** The stored flags with online_disagrees (always the last, §1.7) said again for the new counts; no other flag can change. */
function withOnlineCheck(flags: readonly GroupFlag[], peakOnline: number, peakStays: number): GroupFlag[] {
  const disagrees = onlineDisagrees(peakOnline, peakStays);
  return [...flags.filter((f) => f.code !== 'online_disagrees'), ...(disagrees === null ? [] : [disagrees])];
}
