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

/** One fate, drawn by weight. */
export function drawStayFate(random: Random): StayFate {
  return random.weighted(STAY_FATES.map((fate) => [fate, fate.weight] as const));
}
