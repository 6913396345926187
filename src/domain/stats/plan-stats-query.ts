import type { CallFilter } from '../call-filter.js';
import { HOUR_GRAIN, type RollupDimension, type SlotGrain } from './rollup-cells.js';
import type { BreakdownField } from './stats-query.js';

/** Which rollup cells answer a query: one dimension, optionally only some of its values. */
export interface RollupPlan {
  dim: RollupDimension;
  /** Only these values of `dim` (a filter on it); null for all. */
  values: string[] | null;
}

const FILTER_DIMENSIONS = ['outcome', 'reason', 'ended_by', 'type', 'from_service_id', 'to_service_id'] as const;

/**
 * Decides whether the rollups answer a query exactly, and which cells to read; null means
 * scan the calls. Rollups hold calls by setup_time slot (an hour, or a quarter-hour with
 * `grain`) and one dimension at a time, so they answer when: time_field is setup_time, no
 * user or duration filter, from/to and every bucket boundary inside them fall on whole
 * slots of the grain, and at most one dimension is filtered (the breakdown's own, if any).
 */
export function planStatsQuery(
  filter: CallFilter,
  options: { by?: BreakdownField; boundaries?: readonly number[]; grain?: SlotGrain } = {},
): RollupPlan | null {
  const slotSec = (options.grain ?? HOUR_GRAIN).sec;
  const aligned = (seconds: number | undefined) => seconds === undefined || seconds % slotSec === 0;
  if (filter.time_field !== 'setup_time') return null;
  if (filter.user !== undefined || filter.from_user_id !== undefined || filter.to_user_id !== undefined) return null;
  if (filter.min_duration !== undefined || filter.max_duration !== undefined) return null;
  if (!aligned(filter.from) || !aligned(filter.to)) return null;
  for (const b of options.boundaries ?? []) {
    const inside = (filter.from === undefined || b > filter.from) && (filter.to === undefined || b < filter.to);
    if (inside && !aligned(b)) return null;
  }
  const filtered = FILTER_DIMENSIONS.filter((d) => filter[d] !== undefined);
  const by = options.by;
  if (by === 'caller' || by === 'callee') return null;
  if (filtered.length > 1) return null;
  const [only] = filtered;
  if (by !== undefined && only !== undefined && only !== by) return null;
  const dim: RollupDimension = by ?? only ?? 'all';
  if (only === undefined) return { dim, values: null };
  const value = filter[only];
  return { dim, values: Array.isArray(value) ? [...(value as string[])] : [String(value)] };
}
