import { groupCallEventKeyOf } from '../../domain/canonical-group-call-event.js';
import { toQueryString } from '../callback-query.js';
import { createRandom, type Random } from '../random.js';
import { type GeneratedGroupRoom, generateGroupRoom } from './generate-group-room.js';
import { type GroupEventShape, groupEventValues } from './group-event-values.js';
import type { GroupTrafficOptions } from './group-traffic-options.js';

/** One request of a group run: one event, in one shape, leaving at `at`. */
export interface GroupDelivery {
  sid: string;
  /** The event's key (docs/spec/callbacks.md §2.3): a duplicate has its original's. */
  key: string;
  query: string;
  role: 'original' | 'duplicate';
  shape: GroupEventShape;
  /** Unix milliseconds when LINE Planet sends it: the event's ts plus a delay within the reorder window. */
  at: number;
}

/** A whole group run: the rooms as generated and every request, in the order they go out. */
export interface GroupPlan {
  rooms: GeneratedGroupRoom[];
  deliveries: GroupDelivery[];
}

/**
 * Draws the rooms of a run and the requests that report them, in sending order: by
 * event time plus a delay drawn within the reorder window, so that nearby events
 * (of a room, or of rooms at once) arrive out of order; some events twice, each
 * delivery in the current or the 2020 shape. Pure: the same options give the same plan.
 *
 * @example planGroupTraffic({ ...DEFAULT_GROUP_TRAFFIC, seed: '1', epoch: 1_800_000_000 }).deliveries[0]?.query
 */
export function planGroupTraffic(options: GroupTrafficOptions): GroupPlan {
  const random = createRandom(options.seed);
  const spanMs = options.spanSec * 1000;
  const roomOptions = { ...options.room, startMs: options.epoch * 1000 - spanMs, spanMs };
  const rooms: GeneratedGroupRoom[] = [];
  const deliveries: GroupDelivery[] = [];
  for (let i = 0; i < options.rooms; i++) {
    const room = generateGroupRoom(random, roomOptions);
    rooms.push(room);
    for (const event of room.events) {
      const key = groupCallEventKeyOf(event);
      const copies = random.chance(options.duplicateShare) ? 2 : 1;
      for (let copy = 0; copy < copies; copy++) {
        const shape: GroupEventShape = random.chance(options.legacyShare) ? 'legacy' : 'current';
        // The 2020 shape carried real milliseconds: any within the second is the same stored time.
        const values = groupEventValues(event, shape, shape === 'legacy' ? random.int(0, 999) : 0);
        const at = event.ts + delayWithin(random, options.reorderWindowMs);
        deliveries.push({ sid: room.sid, key, query: toQueryString(Object.entries(values)), role: copy === 0 ? 'original' : 'duplicate', shape, at });
      }
    }
  }
  // Stable: deliveries leaving at the same millisecond keep the order they were drawn in.
  deliveries.sort((a, b) => a.at - b.at);
  return { rooms, deliveries };
}

function delayWithin(random: Random, windowMs: number): number {
  return windowMs <= 0 ? 0 : random.int(0, windowMs - 1);
}
