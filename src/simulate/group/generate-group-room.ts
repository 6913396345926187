import type { CallType } from '../../domain/call-event.js';
import { type GroupCallEvent, KNOWN_UE_TYPES, type ParticipantStatus } from '../../domain/group-call-event.js';
import type { StayStatus } from '../../domain/group/stay-status.js';
import type { Random } from '../random.js';
import { drawStayFate, type StayFate } from './stay-fates.js';

/** What shapes the simulated rooms. Times are Unix milliseconds; shares are fractions in [0, 1]. */
export interface GroupRoomOptions {
  /** Rooms start within [startMs, startMs + spanMs). */
  startMs: number;
  spanMs: number;
  /** Most participants a room has, host included (at least 2). */
  maxParticipants: number;
  /** Rooms whose end (sc=E) never comes: the host never leaves. */
  neverEndsShare: number;
  /** Guests who come back after leaving, with a second stay. */
  rejoinShare: number;
  /** How guest stays end (STAY_FATES when absent). */
  fates?: readonly StayFate[];
}

/** Ordinary rooms: an hour of starts, up to 8 people, one room in 20 never ends. */
export const DEFAULT_GROUP_ROOM_OPTIONS: Readonly<Omit<GroupRoomOptions, 'startMs'>> = { spanMs: 3_600_000, maxParticipants: 8, neverEndsShare: 0.05, rejoinShare: 0.15 };

/** The longest guest stay drawn, in milliseconds (MAX_CALL_TIME_EXCEEDED territory beyond). */
const MAX_STAY_MS = 7_200_000;

/** A simulated room: its events as LINE Planet would send them (in the order they happened) and what they must give. */
export interface GeneratedGroupRoom {
  sid: string;
  events: GroupCallEvent[];
  /** Whether the room's end (sc=E) was sent. */
  ended: boolean;
  /** Every stay's participant and status (docs/spec/group-calls.md §3), sorted as `user_id:status`. */
  stays: string[];
  /** The largest online count of the room. */
  peakOnline: number;
}

/** One event before the room's order and counts are known. */
interface Happening {
  at: number;
  user: string;
  msc: ParticipantStatus;
  media: CallType;
  reason: number | null;
  releaser: number | null;
  /** Whether it opens (+1) or closes (−1) a joined stay, for the online count. */
  online: 1 | 0 | -1;
}

/**
 * Draws one room: a host who starts it, guests who join, switch media, leave, drop, time
 * out, are kicked, replaced or refused, some who come back, and a host who leaves last
 * (or, alone too long, is kicked by LINE Planet), unless the room never ends. Pure: the
 * same `random` state gives the same room.
 */
export function generateGroupRoom(random: Random, options: GroupRoomOptions): GeneratedGroupRoom {
  const sid = random.uuid().replaceAll('-', '');
  const t0 = options.startMs + random.int(0, options.spanMs - 1);
  const media: CallType = random.chance(0.6) ? 'V' : 'A';
  const happenings: Happening[] = [{ at: t0, user: 'host', msc: 'C', media, reason: null, releaser: null, online: 1 }];
  const stays: string[] = [];
  let lastLeave = t0;
  const guests = random.int(1, Math.max(1, options.maxParticipants - 1));
  for (let g = 1; g <= guests; g++) {
    const user = `guest-${g}`;
    let joinAt = t0 + random.int(1_000, 600_000);
    for (let stay = 0; stay < 2; stay++) {
      const fate = drawStayFate(random, options.fates);
      const leaveAt = fate.status === 'failed_to_join' ? joinAt : joinAt + Math.min(MAX_STAY_MS, Math.max(5_000, Math.round(random.logNormal(480_000, 1))));
      const end = { reason: random.pick(fate.reasons), releaser: random.pick(fate.releasers) };
      if (fate.status !== 'failed_to_join') happenings.push({ at: joinAt, user, msc: 'C', media, reason: null, releaser: null, online: 1 });
      if (fate.status !== 'failed_to_join') happenings.push(...mediaSwitches(random, user, media, joinAt, leaveAt));
      happenings.push({ at: leaveAt, user, msc: fate.msc, media, ...end, online: fate.status === 'failed_to_join' ? 0 : -1 });
      stays.push(`${user}:${fate.status}`);
      lastLeave = Math.max(lastLeave, leaveAt);
      // A replaced stay goes on at once in the new instance; anyone else may come back later.
      if (fate.status !== 'replaced' && !random.chance(options.rejoinShare)) break;
      joinAt = leaveAt + (fate.status === 'replaced' ? random.int(200, 2_000) : random.int(10_000, 300_000));
    }
  }
  const ended = !random.chance(options.neverEndsShare);
  stays.push(`host:${ended ? hostEnd(random, happenings, lastLeave, media) : 'in_room'}`);
  const events = toEvents(random, sid, happenings, ended);
  return { sid, events, ended, stays: stays.sort(), peakOnline: events.reduce((peak, e) => Math.max(peak, e.online), 0) };
}

/** The host's leave, last of all: normal, or ALONE_KICK_OUT after a minute alone. */
function hostEnd(random: Random, happenings: Happening[], lastLeave: number, media: CallType): StayStatus {
  const kicked = random.chance(0.3);
  const at = lastLeave + (kicked ? 60_000 : random.int(1_000, 30_000));
  happenings.push({ at, user: 'host', msc: 'D', media, reason: kicked ? 1402 : 1001, releaser: kicked ? 4 : 3, online: -1 });
  return kicked ? 'kicked' : 'completed';
}

function mediaSwitches(random: Random, user: string, media: CallType, joinAt: number, leaveAt: number): Happening[] {
  const switches: Happening[] = [];
  let current = media;
  for (let i = random.int(0, 2); i > 0 && leaveAt - joinAt > 2_000; i--) {
    current = current === 'A' ? 'V' : 'A';
    switches.push({ at: random.int(joinAt + 1, leaveAt - 1), user, msc: 'M', media: current, reason: null, releaser: null, online: 0 });
  }
  return switches.sort((a, b) => a.at - b.at);
}

/** The happenings in time order, each a millisecond apart at least, with online counts, sc and the room's end. */
function toEvents(random: Random, sid: string, happenings: Happening[], ended: boolean): GroupCallEvent[] {
  const ordered = happenings.map((h, i) => ({ h, i })).sort((a, b) => a.h.at - b.h.at || a.i - b.i);
  const room = { svc_id: 'linecorp.com', id: `room-${random.int(1, 9_999)}` };
  const devices = new Map<string, string>();
  let online = 0;
  let previous = 0;
  return ordered.map(({ h }, index) => {
    const ts = Math.max(h.at, previous + 1);
    previous = ts;
    online += h.online;
    let ue = devices.get(h.user);
    if (ue === undefined) devices.set(h.user, (ue = random.pick(KNOWN_UE_TYPES.slice(1))));
    const isEnd = ended && index === ordered.length - 1;
    return {
      sid,
      ...room,
      user_svc_id: 'linecorp.com',
      user_id: h.user,
      host_svc_id: 'linecorp.com',
      host_id: 'host',
      sc: index === 0 ? 'S' : isEnd ? 'E' : 'C',
      msc: h.msc,
      setup_time: Math.floor((ordered[0]?.h.at ?? ts) / 1000),
      start_time: h.msc === 'C' ? Math.floor(ts / 1000) : 0,
      end_time: h.msc === 'D' || h.msc === 'T' ? Math.floor(ts / 1000) : 0,
      online,
      media_type: h.media,
      ts,
      stid: null,
      app_svr_data: null,
      rel_code: null,
      rel_code_str: null,
      ue_type: ue,
      display_name: null,
      disconnect_reason: h.reason,
      releaser_type: h.releaser,
      extra: {},
    };
  });
}
