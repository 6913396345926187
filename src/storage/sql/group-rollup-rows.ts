import { emptyGroupCell, type GroupCell } from '../../domain/group/group-cell.js';
import { STAY_STATUSES } from '../../domain/group/stay-status.js';
import { histogramToJson, mergeHistogramJson } from '../../domain/stats/seconds-histogram.js';

/** The columns of group_rollups after (width, slot, dim, value), in order (migration 16). */
export const GROUP_ROLLUP_FIGURE_COLUMNS = [
  'sessions', 'sessions_ended', ...STAY_STATUSES,
  'participants_sum', 'participant_ms', 'peak_participants', 'stay_seconds', 'session_seconds', 'join_failures', 'drops',
] as const;

/** A group_rollups row's figure columns as they come back from either database (integers may be text). */
export type GroupRollupFigures = Record<(typeof GROUP_ROLLUP_FIGURE_COLUMNS)[number], unknown>;

/** The values of GROUP_ROLLUP_FIGURE_COLUMNS for a cell. A rollup never holds end_missing: it is read with the clock. */
export function groupRollupValues(cell: GroupCell): unknown[] {
  return GROUP_ROLLUP_FIGURE_COLUMNS.map((column) => {
    switch (column) {
      case 'sessions':
      case 'sessions_ended':
      case 'participants_sum':
      case 'participant_ms':
      case 'peak_participants':
        return cell[column];
      case 'stay_seconds':
      case 'session_seconds':
        return histogramToJson(cell[column]);
      case 'join_failures':
      case 'drops':
        return JSON.stringify([...cell[column]]);
      default:
        return cell.statuses[column];
    }
  });
}

/** Adds a stored row's figures into a cell. */
export function addGroupRollupRow(cell: GroupCell, row: GroupRollupFigures): void {
  cell.sessions += Number(row.sessions);
  cell.sessions_ended += Number(row.sessions_ended);
  for (const status of STAY_STATUSES) cell.statuses[status] += Number(row[status]);
  cell.participants_sum += Number(row.participants_sum);
  cell.participant_ms += Number(row.participant_ms);
  cell.peak_participants = Math.max(cell.peak_participants, Number(row.peak_participants));
  mergeHistogramJson(cell.stay_seconds, String(row.stay_seconds));
  mergeHistogramJson(cell.session_seconds, String(row.session_seconds));
  addReasons(cell.join_failures, String(row.join_failures));
  addReasons(cell.drops, String(row.drops));
}

/** A cell from one stored row. */
export function groupCellOfRow(row: GroupRollupFigures): GroupCell {
  const cell = emptyGroupCell();
  addGroupRollupRow(cell, row);
  return cell;
}

function addReasons(into: Map<string | null, number>, text: string): void {
  for (const [reason, n] of JSON.parse(text) as Array<[string | null, number]>) into.set(reason, (into.get(reason) ?? 0) + n);
}
