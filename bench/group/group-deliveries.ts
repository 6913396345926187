import { DEFAULT_GROUP_TRAFFIC } from '../../src/simulate/group/group-traffic-options.js';
import { planGroupTraffic } from '../../src/simulate/group/plan-group-traffic.js';

/**
 * Rooms live at once (BENCH_GROUP_LIVE_ROOMS, 100, whatever their size): each plan draws
 * that many rooms and interleaves their events in time order; plans follow one another.
 * Live, a service receiving events of many rooms seldom gets two of one room in one commit
 * batch, so each event updates (or rebuilds) its room alone; with fewer live rooms than the
 * connections, events of one room share a batch and its one update (apply-group-events.ts
 * updates each sid of a batch once), which flatters large rooms (bench/README.md). Few
 * enough that a run of seconds sees rooms of up to 50 through to their end: with thousands
 * at once, a short run would only see the first events of each room.
 */
export function liveRooms(): number {
  return Number(process.env.BENCH_GROUP_LIVE_ROOMS ?? 100);
}

/** A pool of Group Call Event request paths, in sending order, and what the rooms behind them look like. */
export interface GroupDeliveryPool {
  /** Rooms live at once (one plan). */
  liveRooms: number;
  paths: string[];
  /** Per path: how many events its room holds once it is stored (what a rebuild of it would read); 0 for a duplicate. */
  rebuilt: Int32Array;
  rooms: number;
  /** Mean participants per room (host included, distinct users). */
  meanParticipants: number;
  /** Mean events per room (originals, without duplicates). */
  meanEvents: number;
  /**
   * Mean, over every original event, of how many events its room holds once it is stored:
   * what one rebuild reads and rebuilds (docs/spec/group-calls.md §1), ~ E[n²] / 2E[n].
   */
  meanEventsRebuilt: number;
  duplicates: number;
}

/**
 * Realistic group traffic from the simulator (src/simulate/group/): rooms of up to
 * `maxParticipants` with joins, media switches, leaves, time-outs, kicks, refusals and
 * rooms that never end, each event sent once or twice (DEFAULT_GROUP_TRAFFIC's duplicate
 * share), in the order LINE Planet would send them live (event time plus a delay within
 * the reorder window). Plans of liveRooms() rooms (seeds `prefix-1`, `prefix-2` …), one after
 * the other, until at least `minRequests` requests.
 */
export function planGroupDeliveries(maxParticipants: number, minRequests: number, prefix: string, epoch = Math.floor(Date.now() / 1000)): GroupDeliveryPool {
  const paths: string[] = [];
  const rebuilt: number[] = [];
  let rooms = 0;
  let participants = 0;
  let events = 0;
  let squares = 0;
  let duplicates = 0;
  for (let plan = 1; paths.length < minRequests; plan++) {
    const { rooms: planned, deliveries } = planGroupTraffic({
      ...DEFAULT_GROUP_TRAFFIC,
      seed: `${prefix}-${plan}`,
      epoch,
      rooms: liveRooms(),
      room: { ...DEFAULT_GROUP_TRAFFIC.room, maxParticipants },
    });
    const storedPerRoom = new Map<string, number>();
    const seenKeys = new Set<string>();
    for (const d of deliveries) {
      paths.push(`/callbacks/group-call-event?${d.query}`);
      // Whichever copy of an event comes first is stored and updates its room; the other is a duplicate.
      const first = !seenKeys.has(d.key);
      seenKeys.add(d.key);
      const stored = (storedPerRoom.get(d.sid) ?? 0) + (first ? 1 : 0);
      storedPerRoom.set(d.sid, stored);
      rebuilt.push(first ? stored : 0);
      if (d.role === 'duplicate') duplicates++;
    }
    for (const room of planned) {
      rooms++;
      participants += new Set(room.events.map((e) => e.user_id)).size;
      events += room.events.length;
      // The k-th stored event of a room rebuilds k events: the sum over k is n(n+1)/2.
      squares += (room.events.length * (room.events.length + 1)) / 2;
    }
  }
  return { liveRooms: liveRooms(), paths, rebuilt: Int32Array.from(rebuilt), rooms, meanParticipants: participants / rooms, meanEvents: events / rooms, meanEventsRebuilt: squares / events, duplicates };
}
