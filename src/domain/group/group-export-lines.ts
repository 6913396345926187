import { type CsvOptions, csvCell } from '../call-log/call-csv.js';
import { EXPORT_CHUNK_CHARS, type ExportFormat } from '../call-log/export-lines.js';
import type { GroupSession, ParticipantStay } from './group-session.js';

/** What one line of a group export is: a room session, or one participant stay. */
export type GroupExportRows = 'sessions' | 'stays';
export const GROUP_EXPORT_ROWS: readonly GroupExportRows[] = ['sessions', 'stays'];

/** A session as a list answers it: without its stays, with when its last event came and its conflicting versions. */
export type GroupSessionLine = Omit<GroupSession, 'stays'> & { last_event_at: number; conflicts: number };

/** One stay with the session it belongs to, as a `rows=stays` export writes it. */
export interface GroupStayLine extends ParticipantStay {
  sid: string;
  svc_id: string;
  id: string;
  session_started_at: number;
  session_ended_at: number | null;
  session_state: GroupSession['state'];
}

/** The columns of a `rows=sessions` CSV export, in order: the fields of a list item. */
export const GROUP_SESSION_CSV_COLUMNS = [
  'sid', 'svc_id', 'id', 'host_svc_id', 'host_id', 'media_type', 'state', 'started_at', 'ended_at', 'duration_ms', 'end_due_at', 'last_event_at',
  'participants', 'peak_online', 'final_online', 'peak_stays', 'event_count', 'conflicts', 'flags', 'rules_version',
] as const;

/** The columns of a `rows=stays` CSV export, in order: the session, the participant, the stay and its status. */
export const GROUP_STAY_CSV_COLUMNS = [
  'sid', 'svc_id', 'id', 'session_started_at', 'session_ended_at', 'session_state',
  'user_svc_id', 'user_id', 'display_name', 'ue_type', 'media_type', 'media_changes', 'joined_at', 'left_at', 'duration_ms', 'end',
  'status', 'reason', 'disconnect_reason', 'releaser_type', 'ended_by', 'explanation', 'flags',
] as const;

/** The CSV columns of each row kind. */
export const GROUP_CSV_COLUMNS: Record<GroupExportRows, readonly string[]> = { sessions: GROUP_SESSION_CSV_COLUMNS, stays: GROUP_STAY_CSV_COLUMNS };

/** A stay with its session's room and times (the session's own fields keep their names; its times are prefixed). */
export function stayLineOf(session: GroupSessionLine, stay: ParticipantStay): GroupStayLine {
  return {
    sid: session.sid,
    svc_id: session.svc_id,
    id: session.id,
    session_started_at: session.started_at,
    session_ended_at: session.ended_at,
    session_state: session.state,
    ...stay,
  };
}

/**
 * One session or stay line as CSV with its CRLF (RFC 4180, the cells of the 1-to-1
 * export, formulas neutralised unless `raw`). Times stay Unix milliseconds, as in the
 * JSON; `flags` are their codes separated by spaces; `media_changes` is
 * `<ts>:<media_type>` per change, separated by spaces.
 *
 * @example groupCsvLine('stays', line) // 'b6f…,linecorp.com,room-1,1700000000000,,in_progress,…\r\n'
 */
export function groupCsvLine(rows: GroupExportRows, line: GroupSessionLine | GroupStayLine, options: CsvOptions = {}): string {
  const values = line as unknown as Record<string, unknown>;
  const cells: Record<string, unknown> = {
    ...values,
    flags: line.flags.map((flag) => flag.code).join(' '),
    media_changes: 'media_changes' in line ? line.media_changes.map((c) => `${c.ts}:${c.media_type}`).join(' ') : undefined,
  };
  return `${GROUP_CSV_COLUMNS[rows].map((column) => csvCell(cells[column], options)).join(',')}\r\n`;
}

/**
 * Turns a stream of session or stay lines into export text chunks (CSV with a header row,
 * or one JSON object per line), about EXPORT_CHUNK_CHARS each, like the 1-to-1 export.
 * `onLine` sees the running count.
 */
export async function* groupExportChunks(
  lines: AsyncIterable<GroupSessionLine | GroupStayLine>,
  format: ExportFormat,
  rows: GroupExportRows,
  onLine?: (count: number) => void,
  csv: CsvOptions = {},
): AsyncGenerator<string> {
  let chunk = format === 'csv' ? `${GROUP_CSV_COLUMNS[rows].join(',')}\r\n` : '';
  let count = 0;
  for await (const line of lines) {
    chunk += format === 'csv' ? groupCsvLine(rows, line, csv) : `${JSON.stringify(line)}\n`;
    onLine?.(++count);
    if (chunk.length >= EXPORT_CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
