import { DEFAULT_TRAFFIC } from '../traffic-options.js';
import { DEFAULT_GROUP_ROOM_OPTIONS, type GroupRoomOptions } from './generate-group-room.js';

/** What a simulated run of group calls looks like (`callevt simulate --group`). Shares are fractions in [0, 1]. */
export interface GroupTrafficOptions {
  /** Same seed and epoch → same rooms and the same requests in the same order. */
  seed: string;
  /** Unix seconds: rooms start within the `spanSec` seconds before it. */
  epoch: number;
  spanSec: number;
  rooms: number;
  /** The room generator's knobs (participants, rooms that never end, rejoins, how stays end). */
  room: Omit<GroupRoomOptions, 'startMs' | 'spanMs'>;
  /** Share of events delivered a second time (in a shape drawn anew: the same event either way). */
  duplicateShare: number;
  /** Share of deliveries in the 2020 shape: times in milliseconds, `mediaType`. */
  legacyShare: number;
  /**
   * Each delivery leaves up to this long after its event happened (a uniform draw), and
   * deliveries go out in that order: events less than this apart may arrive swapped.
   */
  reorderWindowMs: number;
  /** GROUP_END_DEADLINE the truth assumes: a room without sc=E is end_missing this long after its last event. */
  endDeadlineMs: number;
}

/** The most rooms one run plans: they are all drawn before the first request, to send their events in time order. */
export const MAX_GROUP_ROOMS = 100_000;

/** Defaults apart from the seed and the epoch: a hundred ordinary rooms, events up to 30 s late, GROUP_END_DEADLINE two hours. */
export const DEFAULT_GROUP_TRAFFIC: Readonly<Omit<GroupTrafficOptions, 'seed' | 'epoch'>> = {
  spanSec: DEFAULT_GROUP_ROOM_OPTIONS.spanMs / 1000,
  rooms: 100,
  room: { maxParticipants: DEFAULT_GROUP_ROOM_OPTIONS.maxParticipants, neverEndsShare: DEFAULT_GROUP_ROOM_OPTIONS.neverEndsShare, rejoinShare: DEFAULT_GROUP_ROOM_OPTIONS.rejoinShare },
  // The same flags as for 1-to-1 calls, with the same defaults.
  duplicateShare: DEFAULT_TRAFFIC.duplicateShare,
  legacyShare: DEFAULT_TRAFFIC.legacyShare,
  reorderWindowMs: 30_000,
  endDeadlineMs: 7_200_000,
};
