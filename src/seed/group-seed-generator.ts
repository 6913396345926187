import { DEFAULT_GROUP_ROOM_OPTIONS, type GeneratedGroupRoom, generateGroupRoom } from '../simulate/group/generate-group-room.js';
import { createRandom } from '../simulate/random.js';
import { HOURLY_WEIGHT } from './seed-generator.js';

/** What `callevt seed --group` makes. */
export interface GroupSeedOptions {
  sessions: number;
  days: number;
  /** Unix seconds: every seeded event happens before it. */
  end: number;
  seed: number;
  /** Most participants of a room, host included (DEFAULT_GROUP_ROOM_OPTIONS: 8). */
  maxParticipants?: number;
}

/**
 * How long before `end` the last room may start, in milliseconds: longer than any room the
 * generator draws lasts (two stays of at most two hours each, joins and rejoins between),
 * so that no seeded event lies after `end`.
 */
export const GROUP_SEED_TAIL_MS = 6 * 3_600_000;

/** A seeded room: the generator's room, its sid made to sort by start hour. */
export type GroupSeedRoom = GeneratedGroupRoom;

/**
 * Realistic rooms from the group simulator (src/simulate/group/), hour by hour, as many
 * per hour as the 1-to-1 seed's daily curve gives (HOURLY_WEIGHT), starting within the
 * `days` days that end GROUP_SEED_TAIL_MS before `end`. Each room's sid is the hour
 * (8 hex digits) and a running number (24 hex digits): sids grow with time, so that the
 * sid-keyed tables are written in key order. Pure: the same options give the same rooms.
 */
export function* generateGroupSeedHours(options: GroupSeedOptions): Generator<GroupSeedRoom[]> {
  const random = createRandom(`group-seed-${options.seed}`);
  const hours = Math.max(1, Math.round(options.days * 24));
  const lastHourEnd = Math.floor((options.end * 1000 - GROUP_SEED_TAIL_MS) / 3_600_000) * 3_600_000;
  const firstHour = lastHourEnd - hours * 3_600_000;
  const weights = Array.from({ length: hours }, (_, h) => HOURLY_WEIGHT[(h + firstHour / 3_600_000) % 24] ?? 1);
  const totalWeight = weights.reduce((s, w) => s + w, 0);
  const room = { ...DEFAULT_GROUP_ROOM_OPTIONS, spanMs: 3_600_000, maxParticipants: options.maxParticipants ?? DEFAULT_GROUP_ROOM_OPTIONS.maxParticipants };
  let made = 0;
  let cumulative = 0;
  for (let h = 0; h < hours; h++) {
    cumulative += weights[h] ?? 0;
    const target = Math.round((options.sessions * cumulative) / totalWeight);
    const startMs = firstHour + h * 3_600_000;
    const prefix = (startMs / 3_600_000).toString(16).padStart(8, '0');
    const batch: GroupSeedRoom[] = [];
    for (; made < target; made++) {
      const generated = generateGroupRoom(random, { ...room, startMs });
      const sid = `${prefix}${made.toString(16).padStart(24, '0')}`;
      for (const event of generated.events) event.sid = sid;
      batch.push({ ...generated, sid });
    }
    yield batch;
  }
}
