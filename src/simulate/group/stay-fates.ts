import type { StayStatus } from '../../domain/group/stay-status.js';
import type { Random } from '../random.js';

/** How a simulated guest's stay ends, and the status docs/spec/group-calls.md §3 gives it. */
export interface StayFate {
  status: Exclude<StayStatus, 'in_room'>;
  /** The msc of the event that ends the stay. */
  msc: 'D' | 'T';
  /** disconnect_reason choices (null: none sent) and releaser_type choices. */
  reasons: ReadonlyArray<number | null>;
  releasers: ReadonlyArray<number | null>;
  /** Relative weight among the fates. */
  weight: number;
}

/**
 * The fates of a guest's stay in a simulated room, roughly as often as a busy service
 * sees them. Codes from docs/spec/callbacks.md §5: each fate's codes give its status.
 */
export const STAY_FATES: readonly StayFate[] = [
  { status: 'completed', msc: 'D', reasons: [1001, 1001, 1003], releasers: [3], weight: 60 },
  { status: 'dropped', msc: 'D', reasons: [1301, 1308, 1309, 1310], releasers: [3, 4], weight: 10 },
  { status: 'timed_out', msc: 'T', reasons: [null, 1301], releasers: [null, 4], weight: 6 },
  { status: 'kicked', msc: 'D', reasons: [1001, null], releasers: [5], weight: 4 },
  { status: 'replaced', msc: 'D', reasons: [1405], releasers: [4], weight: 3 },
  { status: 'failed_to_join', msc: 'D', reasons: [1401, 1404, 1303], releasers: [4], weight: 6 },
];

/** The fates whose share of guest stays can be set (`callevt simulate --group`). */
export type SettableFate = 'failed_to_join' | 'kicked' | 'timed_out';

/**
 * The fates with some of them given a share of all guest stays; the others share the
 * rest in proportion to their weights. Throws when the given shares add up to more than 1.
 *
 * @example stayFatesWith({ kicked: 0.5 }) // half of the stays end kicked
 */
export function stayFatesWith(shares: Partial<Record<SettableFate, number>>): StayFate[] {
  const given = STAY_FATES.filter((fate) => shares[fate.status as SettableFate] !== undefined);
  const givenShare = given.reduce((sum, fate) => sum + (shares[fate.status as SettableFate] ?? 0), 0);
  if (givenShare > 1) throw new Error(`the shares of refused joins, kicks and time-outs add up to ${givenShare}, more than 1`);
  const restWeight = STAY_FATES.filter((fate) => !given.includes(fate)).reduce((sum, fate) => sum + fate.weight, 0);
  return STAY_FATES.map((fate) => {
    const share = shares[fate.status as SettableFate];
    return { ...fate, weight: share ?? ((1 - givenShare) * fate.weight) / restWeight };
  });
}

/** One fate, drawn by weight (from STAY_FATES unless others are given). */
export function drawStayFate(random: Random, fates: readonly StayFate[] = STAY_FATES): StayFate {
  return random.weighted(fates.map((fate) => [fate, fate.weight] as const));
}
