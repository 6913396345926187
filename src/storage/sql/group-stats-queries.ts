import { type Kysely, sql } from 'kysely';
import { addSessionToCell, emptyGroupCell, finishGroupCell, type GroupCell } from '../../domain/group/group-cell.js';
import {
  type GroupBreakdownAnswer,
  type GroupBreakdownQuery,
  type GroupStatsFilter,
  type GroupSummaryAnswer,
  type GroupSummaryQuery,
  type GroupTimeseriesAnswer,
  type GroupTimeseriesQuery,
  orderGroupBreakdown,
  sessionValues,
} from '../../domain/group/group-stats-query.js';
import type { GroupClock } from '../../domain/group/group-session.js';
import { windowPieces } from '../../domain/stats/window-pieces.js';
import { whereGroupFilter } from './group-call-queries.js';
import { addGroupRollupRow, GROUP_ROLLUP_FIGURE_COLUMNS } from './group-rollup-rows.js';
import { type GroupRollupDim, refreshStaleGroupSlots } from './group-rollup-refresh.js';
import { STATS_SESSION_COLUMNS, STATS_STAY_COLUMNS, type StatsSession, statsSessionsOf } from './group-stats-sessions.js';
import type { Database } from './schema-types.js';
import type { SqlStepRunner } from './sql-steps.js';

const QUARTER_MS = 900_000;
/** Slots per rollup read, sids per stay read (one IN list). */
const SLOTS_PER_READ = 500;
const SIDS_PER_READ = 500;
/** The filters the rollups answer: anything else selects sessions by what only a scan sees. */
const ROLLUP_FILTERS: ReadonlySet<string> = new Set(['from', 'to', 'media_type']);

/** The group statistics of the port (docs/statistics.md, "Group figures"), the same code on every SQL database. */
export interface GroupStatsQueries {
  groupStatsSummary(query: GroupSummaryQuery): Promise<GroupSummaryAnswer>;
  groupStatsTimeseries(query: GroupTimeseriesQuery): Promise<GroupTimeseriesAnswer>;
  groupStatsBreakdown(query: GroupBreakdownQuery): Promise<GroupBreakdownAnswer>;
}

/** How an answer groups sessions and rollup rows into cells. */
interface Grouping {
  /** The rollup dimension that answers, or null when only a scan does. */
  dim: GroupRollupDim | null;
  /** The cell key of a session's part (its start, its value), null outside every cell. */
  keyOf: (startedAtMs: number, value: string) => string | null;
  /** The values a scanned session counts under, each with the part of it that counts. */
  valuesOf: (session: StatsSession) => Array<[string, StatsSession]>;
  /** Where cells are cut (bucket boundaries), Unix seconds. */
  cuts: readonly number[];
  /**
   * The value an end_missing session of this media type counts under, when that is all its
   * value depends on (then end_missing is counted per quarter-hour by the database); null
   * when its stays decide it (ue_type), and the sessions are read.
   */
  endMissingValue: ((mediaType: string) => string) | null;
}

/**
 * Answers from the group rollups where they are exact for the query (docs/statistics.md,
 * "Group figures"): filters on time and media type only, every cut on a quarter-hour. The
 * window's whole quarter-hours come from the fewest rollup rows that tile them, its partial
 * quarter-hours at either end are scanned, and end_missing is counted from the open sessions
 * at the time of the question. Anything else scans the sessions.
 */
export function createGroupStatsQueries(db: Kysely<Database>, steps: SqlStepRunner): GroupStatsQueries {
  /** The sessions a filter selects (in [from, to) when given), with their stays. */
  const scanSessions = async (filter: GroupStatsFilter, clock: GroupClock, withStays = true): Promise<StatsSession[]> => {
    let sessions = whereGroupFilter(db.selectFrom('group_sessions').select([...STATS_SESSION_COLUMNS]), filter, clock);
    if (filter.media_type !== undefined) sessions = sessions.where('media_type', '=', filter.media_type);
    const rows = await sessions.execute();
    const stays: Array<Record<string, unknown>> = [];
    // By sid, in chunks: index lookups, whatever the planner knows of the tables.
    for (let i = 0; withStays && i < rows.length; i += SIDS_PER_READ) {
      const sids = rows.slice(i, i + SIDS_PER_READ).map((r) => r.sid);
      stays.push(...(await db.selectFrom('group_stays').select([...STATS_STAY_COLUMNS]).where('sid', 'in', sids).execute()));
    }
    return statsSessionsOf(rows, stays, clock);
  };

  const addSessions = (cells: Map<string, GroupCell>, sessions: readonly StatsSession[], grouping: Grouping, onlyEndMissing = false) => {
    for (const session of sessions) {
      for (const [value, part] of grouping.valuesOf(session)) {
        const key = grouping.keyOf(session.started_at, value);
        if (key === null) continue;
        let cell = cells.get(key);
        if (cell === undefined) cells.set(key, (cell = emptyGroupCell()));
        if (onlyEndMissing) cell.sessions_end_missing++;
        else addSessionToCell(cell, part);
      }
    }
  };

  /** The window's ends in milliseconds: the filter's, else those of the stored sessions. */
  const windowOf = async (filter: GroupStatsFilter): Promise<[number, number]> => {
    if (filter.from !== undefined && filter.to !== undefined) return [filter.from, filter.to];
    const bounds = await db.selectFrom('group_sessions').select((eb) => [eb.fn.min('started_at').as('first'), eb.fn.max('started_at').as('last')]).executeTakeFirst();
    const first = bounds?.first === null || bounds?.first === undefined ? 0 : Number(bounds.first);
    const last = bounds?.last === null || bounds?.last === undefined ? 0 : Number(bounds.last) + 1;
    return [filter.from ?? first, filter.to ?? Math.max(last, filter.from ?? first)];
  };

  /** The rollup cells of whole quarter-hours [fromSec, toSec), tiled with the fewest rows (windowPieces). */
  const readRollups = async (cells: Map<string, GroupCell>, filter: GroupStatsFilter, dim: GroupRollupDim, grouping: Grouping, fromSec: number, toSec: number) => {
    await refreshStaleGroupSlots(steps, fromSec, toSec);
    const pieces = windowPieces(fromSec, toSec, grouping.cuts);
    const byWidth: Array<[number, number[]]> = [[900, pieces.quarters], [3_600, pieces.hours], ...pieces.blocks];
    for (const [width, slots] of byWidth) {
      for (let i = 0; i < slots.length; i += SLOTS_PER_READ) {
        let q = db.selectFrom('group_rollups').select(['slot', 'value', ...GROUP_ROLLUP_FIGURE_COLUMNS])
          .where('width', '=', width).where('dim', '=', dim).where('slot', 'in', slots.slice(i, i + SLOTS_PER_READ));
        if (dim === 'media_type' && filter.media_type !== undefined) q = q.where('value', '=', filter.media_type);
        for (const row of await q.execute()) {
          const key = grouping.keyOf(Number(row.slot) * 1000, String(row.value));
          if (key === null) continue;
          let cell = cells.get(key);
          if (cell === undefined) cells.set(key, (cell = emptyGroupCell()));
          addGroupRollupRow(cell, row);
        }
      }
    }
  };

  const answerCells = async (query: GroupSummaryQuery, grouping: Grouping): Promise<{ cells: Map<string, GroupCell>; source: 'rollups' | 'sessions' }> => {
    const { filter, clock } = query;
    const cells = new Map<string, GroupCell>();
    const rollupsAnswer = query.exact !== true && grouping.dim !== null && Object.entries(filter).every(([k, v]) => v === undefined || ROLLUP_FILTERS.has(k));
    const [from, to] = await windowOf(filter);
    const middleFrom = Math.ceil(from / QUARTER_MS) * QUARTER_MS;
    const middleTo = Math.floor(to / QUARTER_MS) * QUARTER_MS;
    const cutsOnQuarters = grouping.cuts.every((c) => c <= middleFrom / 1000 || c >= middleTo / 1000 || c % 900 === 0);
    if (!rollupsAnswer || grouping.dim === null || middleFrom >= middleTo || !cutsOnQuarters) {
      addSessions(cells, await scanSessions(filter, clock), grouping);
      return { cells, source: 'sessions' };
    }
    await readRollups(cells, filter, grouping.dim, grouping, middleFrom / 1000, middleTo / 1000);
    // The partial quarter-hours at the ends (under 15 minutes each), session by session.
    for (const [a, b] of [[from, middleFrom], [middleTo, to]] as const) {
      if (a < b) addSessions(cells, await scanSessions({ ...filter, from: a, to: b }, clock), grouping);
    }
    // Rollups hold no end_missing (it depends on the time of the question): count it now.
    // Sessions without sc=E stay end_missing for good, so there can be many: the database
    // counts them per quarter-hour and media type from the index of open sessions by start,
    // and their stays are read only for ue_type.
    const endMissingValue = grouping.endMissingValue;
    if (endMissingValue === null) {
      const endMissing = await scanSessions({ ...filter, from: middleFrom, to: middleTo, state: 'end_missing' }, clock, true);
      addSessions(cells, endMissing, grouping, true);
    } else {
      for (const { quarter, media_type: mediaType, n } of await countEndMissing(filter, clock, middleFrom, middleTo)) {
        const key = grouping.keyOf(Number(quarter) * QUARTER_MS, endMissingValue(String(mediaType)));
        if (key === null) continue;
        let cell = cells.get(key);
        if (cell === undefined) cells.set(key, (cell = emptyGroupCell()));
        cell.sessions_end_missing += Number(n);
      }
    }
    return { cells, source: 'rollups' };
  };

  /** The end_missing sessions started in [fromMs, toMs) per quarter-hour and media type, counted from group_sessions_open_started. */
  const countEndMissing = (filter: GroupStatsFilter, clock: GroupClock, fromMs: number, toMs: number) => {
    let q = db.selectFrom('group_sessions')
      .select((eb) => [sql<number | string>`started_at / ${sql.lit(QUARTER_MS)}`.as('quarter'), 'media_type', eb.fn.countAll<number | string | bigint>().as('n')])
      .where('ended_at', 'is', null)
      .where('last_event_at', '<', clock.now - clock.deadlineMs)
      .where('started_at', '>=', fromMs)
      .where('started_at', '<', toMs);
    if (filter.media_type !== undefined) q = q.where('media_type', '=', filter.media_type);
    return q.groupBy([sql`started_at / ${sql.lit(QUARTER_MS)}`, 'media_type']).execute();
  };

  const whole = (session: StatsSession): Array<[string, StatsSession]> => [['', session]];
  const noValue = () => '';

  return {
    async groupStatsSummary(query) {
      const grouping: Grouping = { dim: query.filter.media_type === undefined ? 'all' : 'media_type', keyOf: () => '', valuesOf: whole, cuts: [], endMissingValue: noValue };
      const { cells, source } = await answerCells(query, grouping);
      return { summary: finishGroupCell(cells.get('') ?? emptyGroupCell()), source };
    },
    async groupStatsTimeseries(query) {
      const bounds = query.boundaries;
      const keyOf = (startedAtMs: number): string | null => {
        const t = startedAtMs / 1000;
        let lo = 0;
        let hi = bounds.length - 2;
        if (hi < 0 || t < (bounds[0] ?? 0) || t >= (bounds[bounds.length - 1] ?? 0)) return null;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if ((bounds[mid] ?? 0) <= t) lo = mid;
          else hi = mid - 1;
        }
        return String(bounds[lo]);
      };
      const grouping: Grouping = { dim: query.filter.media_type === undefined ? 'all' : 'media_type', keyOf, valuesOf: whole, cuts: bounds, endMissingValue: noValue };
      const { cells, source } = await answerCells(query, grouping);
      const items = bounds.slice(0, -1).map((start) => ({ bucket_start: start, ...finishGroupCell(cells.get(String(start)) ?? emptyGroupCell()) }));
      return { items, source };
    },
    async groupStatsBreakdown(query) {
      const { by } = query;
      const dim: GroupRollupDim | null = by === 'media_type' ? 'media_type' : by === 'ue_type' && query.filter.media_type === undefined ? 'ue_type' : null;
      const grouping: Grouping = {
        dim, keyOf: (_, value) => value, valuesOf: (session) => sessionValues(session, by), cuts: [], endMissingValue: by === 'media_type' ? (mediaType) => mediaType : null,
      };
      const { cells, source } = await answerCells(query, grouping);
      const items = [...cells].map(([value, cell]) => ({ value, ...finishGroupCell(cell) }));
      return { items: orderGroupBreakdown(items, query.limit), source };
    },
  };
}
