import { DEFAULT_GROUP_TRAFFIC } from '../../src/simulate/group/group-traffic-options.js';
import { planGroupTraffic } from '../../src/simulate/group/plan-group-traffic.js';

/** Rooms planned at a time: many rooms live at once, their events interleaved in time order. */
const ROOMS_PER_PLAN = 2_000;

/** A pool of Group Call Event request paths, in sending order, and what the rooms behind them look like. */
export interface GroupDeliveryPool {
  paths: string[];
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
 * the reorder window). Plans of ROOMS_PER_PLAN rooms (seeds `prefix-1`, `prefix-2` …) until
 * at least `minRequests` requests; rooms of one plan are all ongoing at once, ending
 * within an hour and a bit of each other.
 */
export function planGroupDeliveries(maxParticipants: number, minRequests: number, prefix: string, epoch = Math.floor(Date.now() / 1000)): GroupDeliveryPool {
  const paths: string[] = [];
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
      rooms: ROOMS_PER_PLAN,
      room: { ...DEFAULT_GROUP_TRAFFIC.room, maxParticipants },
    });
    for (const d of deliveries) {
      paths.push(`/callbacks/group-call-event?${d.query}`);
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
  return { paths, rooms, meanParticipants: participants / rooms, meanEvents: events / rooms, meanEventsRebuilt: squares / events, duplicates };
}
