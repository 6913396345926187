import { addSessionToCell, emptyGroupCell, type GroupCell } from '../../domain/group/group-cell.js';
import { sessionValues } from '../../domain/group/group-stats-query.js';
import { addGroupRollupRow, GROUP_ROLLUP_FIGURE_COLUMNS, groupRollupValues } from './group-rollup-rows.js';
import { STATS_SESSION_COLUMNS, STATS_STAY_COLUMNS, statsSessionsOf } from './group-stats-sessions.js';
import { placeholders, type SqlDialectName, type SqlStepRunner, type SqlSteps, sql } from './sql-steps.js';

/** The widths of group rollup slots in seconds, narrowest first: a quarter-hour, an hour, 3 hours, a UTC day. */
export const GROUP_SLOT_WIDTHS = [900, 3_600, 10_800, 86_400] as const;
export type GroupSlotWidth = (typeof GROUP_SLOT_WIDTHS)[number];
const QUARTER_SEC = 900;
const DAY_SEC = 86_400;
/** The dimensions group rollups hold (docs/statistics.md, "Group figures"). */
export const GROUP_ROLLUP_DIMS = ['all', 'media_type', 'ue_type'] as const;
export type GroupRollupDim = (typeof GROUP_ROLLUP_DIMS)[number];

/** Stale slots one transaction rebuilds at most. */
const SLOTS_PER_TRANSACTION = 48;
/** The first key of PostgreSQL's two-key advisory locks taken per group rollup slot (15 is the group sids'). */
const GROUP_ROLLUP_LOCK_SPACE = 16;

// A mark is written with DO UPDATE, not DO NOTHING: on PostgreSQL the update takes the
// mark's row lock, so a refresh deleting the mark waits for the marking commit and then
// reads its sessions (DO NOTHING would let the refresh clear a mark whose session it cannot
// see yet, and lose it).
const mark = (n: number) => `INSERT INTO group_rollups_stale (width, slot) VALUES ${Array.from({ length: n }, () => '(?, ?)').join(', ')}
  ON CONFLICT (width, slot) DO UPDATE SET slot = excluded.slot`;
const SELECT_STALE = 'SELECT slot FROM group_rollups_stale WHERE width = ? AND slot >= ? AND slot < ? ORDER BY slot';
const ANY_STALE = `SELECT 1 AS stale FROM group_rollups_stale WHERE ${GROUP_SLOT_WIDTHS.map((w) => `(width = ${w} AND slot >= ? AND slot < ?)`).join(' OR ')} LIMIT 1`;
const CLEAR = 'DELETE FROM group_rollups_stale WHERE width = ? AND slot = ?';
const SELECT_SESSIONS = `SELECT ${STATS_SESSION_COLUMNS.join(', ')} FROM group_sessions WHERE started_at >= ? AND started_at < ?`;
// The stays of the slot's sessions by their sids: index lookups whatever the planner knows of
// the tables (a join on started_at made PostgreSQL without statistics scan every stay).
const selectStays = (n: number) => `SELECT ${STATS_STAY_COLUMNS.join(', ')} FROM group_stays WHERE sid IN (${placeholders(n)})`;
const SIDS_PER_READ = 500;
const SELECT_ROWS = `SELECT dim, value, ${GROUP_ROLLUP_FIGURE_COLUMNS.join(', ')} FROM group_rollups WHERE width = ? AND slot >= ? AND slot < ?`;
const DELETE_ROWS = 'DELETE FROM group_rollups WHERE width = ? AND slot = ?';
const INSERT_ROWS = `INSERT INTO group_rollups (width, slot, dim, value, ${GROUP_ROLLUP_FIGURE_COLUMNS.join(', ')}) VALUES `;
const ROW_VALUES = `(${placeholders(4 + GROUP_ROLLUP_FIGURE_COLUMNS.length)})`;

/** The quarter-hour slot (Unix seconds) of a session start in milliseconds. */
export function groupQuarterOf(startedAtMs: number): number {
  return Math.floor(startedAtMs / (QUARTER_SEC * 1000)) * QUARTER_SEC;
}

/**
 * Marks stale the quarter-hours of these session starts (milliseconds), in the transaction
 * that changes the sessions: before and after a change, since a late sc=S moves a start.
 * In slot order, so that two PostgreSQL transactions marking the same slots never deadlock.
 */
export function* markGroupSlotsStale(startedAtMs: Iterable<number>): SqlSteps<void> {
  const quarters = [...new Set([...startedAtMs].map(groupQuarterOf))].sort((a, b) => a - b);
  // One statement (a round trip on PostgreSQL); its rows go in the order given.
  if (quarters.length > 0) yield sql(mark(quarters.length), ...quarters.flatMap((slot) => [QUARTER_SEC, slot]));
}

/**
 * Rebuilds one stale slot: a quarter-hour from its sessions and stays, a wider slot from the
 * rows of the next narrower width, then marks the next wider slot. The mark is cleared before
 * the sources are read, so a commit landing meanwhile marks the slot again; a slot whose mark
 * is already gone was rebuilt by another reader and is left alone.
 */
export function* refreshGroupSlot(dialect: SqlDialectName, width: GroupSlotWidth, slot: number): SqlSteps<boolean> {
  const index = GROUP_SLOT_WIDTHS.indexOf(width);
  // Several receivers may refresh at once: one slot is rebuilt by one transaction at a time.
  if (dialect === 'postgres') yield sql('SELECT pg_advisory_xact_lock(?, ?)', GROUP_ROLLUP_LOCK_SPACE, (slot / QUARTER_SEC) * 4 + index);
  if ((yield sql(CLEAR, width, slot)).changes === 0) return false;
  const cells = new Map<string, { dim: string; value: string; cell: GroupCell }>();
  const cellOf = (dim: string, value: string) => {
    const key = `${dim}\u0000${value}`;
    let c = cells.get(key);
    if (c === undefined) cells.set(key, (c = { dim, value, cell: emptyGroupCell() }));
    return c.cell;
  };
  if (width === QUARTER_SEC) {
    const [from, to] = [slot * 1000, (slot + width) * 1000];
    const sessionRows = (yield sql(SELECT_SESSIONS, from, to)).rows;
    const stayRows: Array<Record<string, unknown>> = [];
    for (let i = 0; i < sessionRows.length; i += SIDS_PER_READ) {
      const sids = sessionRows.slice(i, i + SIDS_PER_READ).map((r) => r.sid);
      stayRows.push(...(yield sql(selectStays(sids.length), ...sids)).rows);
    }
    const sessions = statsSessionsOf(sessionRows, stayRows, null);
    for (const session of sessions) {
      addSessionToCell(cellOf('all', ''), session);
      addSessionToCell(cellOf('media_type', session.media_type), session);
      for (const [ue, part] of sessionValues(session, 'ue_type')) addSessionToCell(cellOf('ue_type', ue), part);
    }
  } else {
    const below = GROUP_SLOT_WIDTHS[index - 1] ?? QUARTER_SEC;
    for (const row of (yield sql(SELECT_ROWS, below, slot, slot + width)).rows) addGroupRollupRow(cellOf(String(row.dim), String(row.value)), row as never);
  }
  yield sql(DELETE_ROWS, width, slot);
  // One statement for the slot's rows (a handful: one per dimension value).
  const rows = [...cells.values()];
  if (rows.length > 0) {
    yield sql(INSERT_ROWS + rows.map(() => ROW_VALUES).join(', '), ...rows.flatMap(({ dim, value, cell }) => [width, slot, dim, value, ...groupRollupValues(cell)]));
  }
  const wider = GROUP_SLOT_WIDTHS[index + 1];
  if (wider !== undefined) yield sql(mark(1), wider, slot - (slot % wider));
  return true;
}

/** PostgreSQL's deadlock and serialization failures: the transaction was rolled back and may simply run again. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);
/** Attempts of one refresh batch before its error is let through. */
const REFRESH_ATTEMPTS = 5;

async function retriedOnDeadlock<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= REFRESH_ATTEMPTS || typeof code !== 'string' || !RETRYABLE_SQLSTATES.has(code)) throw error;
    }
  }
}

/**
 * Rebuilds every stale slot of the whole UTC days around [fromSec, toSec), narrowest width
 * first (each rebuild marks the slot above it), in short transactions of a few dozen slots.
 * Returns how many slots it rebuilt.
 */
export async function refreshStaleGroupSlots(steps: SqlStepRunner, fromSec: number, toSec: number): Promise<number> {
  const from = Math.floor(fromSec / DAY_SEC) * DAY_SEC;
  const to = Math.ceil(toSec / DAY_SEC) * DAY_SEC;
  // Usually nothing is stale: one look answers that.
  const any = await steps.transaction(function* () {
    return (yield sql(ANY_STALE, ...GROUP_SLOT_WIDTHS.flatMap(() => [from, to]))).rows.length > 0;
  });
  if (!any) return 0;
  let rebuilt = 0;
  for (const width of GROUP_SLOT_WIDTHS) {
    const stale = await steps.transaction(function* () {
      return (yield sql(SELECT_STALE, width, from, to)).rows.map((r) => Number(r.slot));
    });
    // A few dozen slots per transaction save most of a cold build's commits and round trips;
    // bounded, so that a receiver marking one of them waits for one batch at most. In slot
    // order, as marks are written. Two PostgreSQL receivers refreshing at once can still meet
    // in a cycle (one holds a slot's lock and waits for the mark of a wider slot the other's
    // batch wrote; the other waits for that slot's lock): PostgreSQL aborts one, which runs
    // its batch again, as ingest does (postgres/record-callbacks.ts).
    for (let i = 0; i < stale.length; i += SLOTS_PER_TRANSACTION) {
      const slots = stale.slice(i, i + SLOTS_PER_TRANSACTION);
      // Derived rows: a crash that loses the rebuild loses the cleared mark with it.
      rebuilt += await retriedOnDeadlock(() => steps.transaction(function* () {
        let n = 0;
        for (const slot of slots) if (yield* refreshGroupSlot(steps.dialect, width, slot)) n++;
        return n;
      }, { durable: false }));
    }
  }
  return rebuilt;
}
