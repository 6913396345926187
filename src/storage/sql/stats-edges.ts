import { type Kysely, sql } from 'kysely';
import type { CallFilter } from '../../domain/call-filter.js';
import type { StatsCall } from '../../domain/stats/figures.js';
import { addCall, emptyPartial } from '../../domain/stats/partial-figures.js';
import { peakConcurrency, talks } from '../../domain/stats/peak-concurrency.js';
import { HOUR_GRAIN, type RollupCell, type SlotGrain, slotOf } from '../../domain/stats/rollup-cells.js';
import { applyCallFilter } from './call-filter-sql.js';
import { rowToStatsCall } from './rollup-rows.js';
import type { Database } from './schema-types.js';
import { SPILL_PREDICATE } from './stale-peaks.js';

/**
 * A setup_time window with an end off the slot grid (hours or quarter-hours), split into
 * the whole slots the rollups answer (`middle`) and the partial slots at either end,
 * which are scanned.
 */
export interface WindowSplit {
  middle: CallFilter;
  /** [filter.from, middle.from), when not empty. */
  head: CallFilter | null;
  /** [middle.to, filter.to), when not empty. */
  tail: CallFilter | null;
}

/**
 * Splits a setup_time window with an end off the grain's slots (an open end stays open);
 * null when both ends are on whole slots or open (the rollups answer it alone), or when no
 * whole slot lies inside.
 */
export function splitWindow(filter: CallFilter, grain: SlotGrain = HOUR_GRAIN): WindowSplit | null {
  const { from, to } = filter;
  const sec = grain.sec;
  if (filter.time_field !== 'setup_time') return null;
  const offSlot = (t: number | undefined) => t !== undefined && t % sec !== 0;
  if (!offSlot(from) && !offSlot(to)) return null;
  const middleFrom = from === undefined ? undefined : Math.ceil(from / sec) * sec;
  const middleTo = to === undefined ? undefined : Math.floor(to / sec) * sec;
  if (middleFrom !== undefined && middleTo !== undefined && middleTo <= middleFrom) return null;
  return {
    middle: { ...filter, from: middleFrom, to: middleTo },
    head: from !== undefined && middleFrom !== undefined && from < middleFrom ? { ...filter, to: middleFrom } : null,
    tail: to !== undefined && middleTo !== undefined && to > middleTo ? { ...filter, from: middleTo } : null,
  };
}

/** The calls columns statistics read. */
export const STATS_COLUMNS = [
  'setup_time', 'start_time', 'end_time', 'duration', 'billing_sec', 'outcome', 'reason', 'terminate', 'ended_by',
  'type', 'from_service_id', 'to_service_id', 'from_user_id', 'to_user_id',
] as const;

/** Every call matching a filter, with the columns statistics read; with `spillingPast`, only those talking past that time. */
export async function selectStatsCalls(db: Kysely<Database>, filter: CallFilter, spillingPast?: number): Promise<StatsCall[]> {
  const q = spillingPast === undefined ? statsCallsQuery(db, filter) : spillingCallsQuery(db, filter, spillingPast);
  return (await q.execute()).map((row) => rowToStatsCall(row));
}

function statsCallsQuery(db: Kysely<Database>, filter: CallFilter) {
  return applyCallFilter(db.selectFrom('calls').select([...STATS_COLUMNS]), filter);
}

/** The calls matching a filter that talk past `time` and past their setup hour, through the partial index calls_spill. */
export function spillingCallsQuery(db: Kysely<Database>, filter: CallFilter, time: number) {
  // Written as calls_spill's predicate, word for word, so that both databases use the index.
  return statsCallsQuery(db, filter).where(sql<boolean>`${sql.raw(SPILL_PREDICATE)} AND end_time > ${time}`);
}

/**
 * The calls of the edges, and the middle's talking calls that may talk at the same time
 * as an edge call, each once: those set up before the last head call ends, and those still
 * talking when the tail starts (found through calls_spill). A peak over edge calls and these is
 * exact wherever an edge call talks; elsewhere only middle calls talk, and the rollups'
 * peak is exact for them.
 */
export async function scanEdges(db: Kysely<Database>, split: WindowSplit, grain: SlotGrain = HOUR_GRAIN): Promise<{ edge: StatsCall[]; neighbours: StatsCall[] }> {
  const head = split.head === null ? [] : await selectStatsCalls(db, split.head);
  const tail = split.tail === null ? [] : await selectStatsCalls(db, split.tail);
  const neighbours: StatsCall[] = [];
  const { from: middleFrom, to: middleTo } = split.middle;
  let headEnd = Number.NEGATIVE_INFINITY;
  for (const c of head) if (talks(c) && c.end_time > headEnd) headEnd = c.end_time;
  // Every talking middle call set up before `taken` is a neighbour already.
  let taken = middleFrom ?? Number.NEGATIVE_INFINITY;
  if (middleFrom !== undefined && headEnd > middleFrom) {
    const to = middleTo === undefined ? headEnd : Math.min(middleTo, headEnd);
    neighbours.push(...(await selectStatsCalls(db, { ...split.middle, to })).filter(talks));
    taken = to;
  }
  if (middleTo !== undefined && tail.some(talks)) {
    // When a head call talks into the tail the two sets overlap: a call taken twice would count twice in the peak.
    // Older calls talking then are long calls: the rollups hold them, and the query is scanned instead.
    const since = Math.max(taken, middleTo - (grain.reachSlots - 1) * grain.sec);
    // calls_spill holds the calls talking past their setup hour: those of earlier hours. A
    // quarter's end may fall inside an hour, whose calls set up before it are read whole.
    const hour = Math.max(since, slotOf(middleTo));
    if (since < hour) neighbours.push(...(await selectStatsCalls(db, { ...split.middle, from: since, to: hour }, middleTo)).filter(talks));
    if (hour < middleTo) {
      const sameHour = await selectStatsCalls(db, { ...split.middle, from: hour, to: middleTo });
      neighbours.push(...sameHour.filter((c) => talks(c) && c.end_time > middleTo));
    }
  }
  return { edge: [...head, ...tail], neighbours };
}

/**
 * Adds scanned edge calls to rollup cells grouped by `keyOf` (the cells' value): their
 * counts, sums and histogram entries, and for each group holding edge calls the peak over
 * its edge calls and neighbours when that is larger. Calls whose key is null are left out.
 */
export function addEdgeCalls(
  cells: RollupCell[],
  edges: { edge: readonly StatsCall[]; neighbours: readonly StatsCall[] },
  keyOf: (call: StatsCall) => string | null,
  dim: RollupCell['dim'],
): RollupCell[] {
  const byKey = new Map(cells.map((c) => [c.value, c]));
  const talking = new Map<string, StatsCall[]>();
  for (const call of edges.edge) {
    const key = keyOf(call);
    if (key === null) continue;
    let cell = byKey.get(key);
    if (cell === undefined) {
      byKey.set(key, (cell = { slot: 0, dim, value: key, partial: emptyPartial(), peak_reach: [], long_calls: 0 }));
    }
    addCall(cell.partial, call);
    if (!talks(call)) continue;
    const list = talking.get(key);
    if (list === undefined) talking.set(key, [call]);
    else list.push(call);
  }
  for (const call of edges.neighbours) {
    const key = keyOf(call);
    if (key !== null && talking.has(key)) talking.get(key)?.push(call);
  }
  for (const [key, calls] of talking) {
    const cell = byKey.get(key) as RollupCell;
    cell.partial.peak_concurrency = Math.max(cell.partial.peak_concurrency, peakConcurrency(calls));
  }
  return [...byKey.values()];
}
