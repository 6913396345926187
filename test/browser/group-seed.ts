import type { GroupCallEvent } from '../../src/domain/group-call-event.js';
import type { StayStatus } from '../../src/domain/group/stay-status.js';
import { generateGroupRoom } from '../../src/simulate/group/generate-group-room.js';
import { createRandom, type Random } from '../../src/simulate/random.js';
import { newGroupSid, validGroupCallEvent } from '../fixtures/group-call-fixture.js';

/** A seeded room and what the rules (docs/spec/group-calls.md) must make of it, known without asking the server. */
export interface SeededRoom {
  sid: string;
  id: string;
  startedAt: number;
  state: 'ended' | 'in_progress';
  participants: number;
  /** Stays per status, only the statuses that occur. */
  stayCounts: Partial<Record<StayStatus, number>>;
  events: GroupCallEvent[];
}

const SECOND = 1_000;

/** One room's events: a builder that fills in the room, the host and the times. */
function roomBuilder(id: string, host: string, startedAt: number) {
  const sid = newGroupSid();
  const events: GroupCallEvent[] = [];
  const at = (offsetMs: number, user: string, change: Partial<GroupCallEvent>) => {
    const ts = startedAt + offsetMs;
    events.push(validGroupCallEvent({
      sid, id, host_id: host, user_id: user, sc: 'C', ts, setup_time: Math.floor(startedAt / 1000),
      start_time: change.msc === 'C' ? Math.floor(ts / 1000) : 0, end_time: change.msc === 'D' || change.msc === 'T' ? Math.floor(ts / 1000) : 0, ...change,
    }));
  };
  return { sid, events, at };
}

/**
 * Three rooms written by hand, relative to `nowMs`:
 * - alpha (ended): alice hosts; bob joins, switches to audio and leaves; carol's first try
 *   fails (ROOM_IS_FULL), her second stay drops (APP_DESTROY);
 * - beta (ended): dave hosts; the application server kicks erin, frank times out, and
 *   dave, alone, is kicked by LINE Planet (ALONE_KICK_OUT) as the room ends;
 * - gamma (no sc=E, so in progress): gina hosts, hank leaves and comes back;
 * - delta (ended, no sc=S): flagged start_missing, and online_disagrees (LINE Planet
 *   reported 3 online, callevt saw 2 stays).
 */
export function handWrittenRooms(nowMs: number): { alpha: SeededRoom; beta: SeededRoom; gamma: SeededRoom; delta: SeededRoom } {
  const tA = nowMs - 50 * 60 * SECOND;
  const a = roomBuilder('alpha', 'alice', tA);
  a.at(0, 'alice', { sc: 'S', msc: 'C', online: 1, ue_type: 'DESKTOPWIN' });
  a.at(10 * SECOND, 'bob', { msc: 'C', online: 2, ue_type: 'IOS', display_name: 'Bob B' });
  a.at(15 * SECOND, 'carol', { msc: 'D', online: 2, disconnect_reason: 1401, releaser_type: 4 });
  a.at(30 * SECOND, 'bob', { msc: 'M', online: 2, media_type: 'A', ue_type: 'IOS' });
  a.at(60 * SECOND, 'bob', { msc: 'D', online: 1, disconnect_reason: 1001, releaser_type: 3, ue_type: 'IOS' });
  a.at(70 * SECOND, 'carol', { msc: 'C', online: 2 });
  a.at(90 * SECOND, 'carol', { msc: 'D', online: 1, disconnect_reason: 1309, releaser_type: 3 });
  a.at(120 * SECOND, 'alice', { sc: 'E', msc: 'D', online: 0, disconnect_reason: 1001, releaser_type: 3, ue_type: 'DESKTOPWIN' });

  const tB = nowMs - 40 * 60 * SECOND;
  const b = roomBuilder('beta', 'dave', tB);
  b.at(0, 'dave', { sc: 'S', msc: 'C', online: 1, media_type: 'A' });
  b.at(5 * SECOND, 'erin', { msc: 'C', online: 2, media_type: 'A' });
  b.at(8 * SECOND, 'frank', { msc: 'C', online: 3, media_type: 'A' });
  b.at(20 * SECOND, 'erin', { msc: 'D', online: 2, media_type: 'A', disconnect_reason: 1001, releaser_type: 5 });
  b.at(40 * SECOND, 'frank', { msc: 'T', online: 1, media_type: 'A' });
  b.at(100 * SECOND, 'dave', { sc: 'E', msc: 'D', online: 0, media_type: 'A', disconnect_reason: 1402, releaser_type: 4 });

  const tG = nowMs - 10 * 60 * SECOND;
  const g = roomBuilder('gamma', 'gina', tG);
  g.at(0, 'gina', { sc: 'S', msc: 'C', online: 1 });
  g.at(5 * SECOND, 'hank', { msc: 'C', online: 2 });
  g.at(30 * SECOND, 'hank', { msc: 'D', online: 1, disconnect_reason: 1001, releaser_type: 3 });
  g.at(60 * SECOND, 'hank', { msc: 'C', online: 2 });

  // delta: its start (sc=S) never came, and LINE Planet counted someone callevt never heard of.
  const tD = nowMs - 30 * 60 * SECOND;
  const d = roomBuilder('delta', 'ivan', tD);
  d.at(0, 'ivan', { msc: 'C', online: 1 });
  d.at(5 * SECOND, 'judy', { msc: 'C', online: 3 });
  d.at(20 * SECOND, 'judy', { msc: 'D', online: 2, disconnect_reason: 1001, releaser_type: 3 });
  d.at(40 * SECOND, 'ivan', { sc: 'E', msc: 'D', online: 0, disconnect_reason: 1001, releaser_type: 3 });

  return {
    delta: { sid: d.sid, id: 'delta', startedAt: tD, state: 'ended', participants: 2, stayCounts: { completed: 2 }, events: d.events },
    alpha: { sid: a.sid, id: 'alpha', startedAt: tA, state: 'ended', participants: 3, stayCounts: { completed: 2, dropped: 1, failed_to_join: 1 }, events: a.events },
    beta: { sid: b.sid, id: 'beta', startedAt: tB, state: 'ended', participants: 3, stayCounts: { kicked: 2, timed_out: 1 }, events: b.events },
    gamma: { sid: g.sid, id: 'gamma', startedAt: tG, state: 'in_progress', participants: 2, stayCounts: { completed: 1, in_room: 2 }, events: g.events },
  };
}

/** Rooms from the simulator (seeded), all ended, started four to five hours before `nowMs`; their expected stays are the generator's own. */
export function simulatedRooms(nowMs: number, count: number, seed: string): SeededRoom[] {
  const random = createRandom(seed);
  const rooms: SeededRoom[] = [];
  for (let i = 0; i < count; i++) {
    const room = generateGroupRoom(random, { startMs: nowMs - 5 * 3_600_000, spanMs: 3_600_000, maxParticipants: 5, neverEndsShare: 0, rejoinShare: 0.3 });
    const first = room.events[0];
    if (first === undefined) throw new Error('a generated room has events');
    const stayCounts: Partial<Record<StayStatus, number>> = {};
    const joined = new Set<string>();
    for (const entry of room.stays) {
      const [user = '', status] = entry.split(':') as [string, StayStatus];
      stayCounts[status] = (stayCounts[status] ?? 0) + 1;
      if (status !== 'failed_to_join') joined.add(user);
    }
    rooms.push({ sid: room.sid, id: first.id, startedAt: first.ts, state: 'ended', participants: joined.size, stayCounts, events: room.events });
  }
  return rooms;
}

/** The items in a seeded random order (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
