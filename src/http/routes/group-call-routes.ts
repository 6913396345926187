import type { FastifyInstance } from 'fastify';
import { decodeGroupCursor, encodeGroupCursor } from '../../domain/group/group-call-cursor.js';
import { GROUP_EXPORT_ROWS, type GroupExportRows, groupExportChunks } from '../../domain/group/group-export-lines.js';
import { type GroupCallFilter, type GroupFilterQuery, parseGroupCallFilter } from '../../domain/group/parse-group-call-filter.js';
import { AppError } from '../../errors/app-error.js';
import type { CallStore, GroupCallListQuery } from '../../storage/port.js';
import { streamGroupLines } from '../../domain/group/stream-group-lines.js';
import { exportFormatOf, invalid, rawOf, sendExport, single } from './export-answer.js';
import { DEFAULT_GROUP_CALL_PAGE, EXPORT_GROUP_CALLS_SCHEMA, GET_GROUP_CALL_SCHEMA, LIST_GROUP_CALLS_SCHEMA, MAX_GROUP_CALL_PAGE } from './group-call-schemas.js';

/**
 * Group calls (docs/spec/group-calls.md): `GET /api/group-calls` (filtered pages, newest
 * start first), `GET /api/group-calls/export` (every matching session, or every stay of
 * them, streamed as CSV or NDJSON) and `GET /api/group-calls/:sid` (the session with
 * every stay). A session's state is read with GROUP_END_DEADLINE (`deadlineMs`) at the
 * time of the request.
 */
export async function groupCallRoutes(app: FastifyInstance, options: { store: CallStore; now: () => number; deadlineMs: number }): Promise<void> {
  const { store, now, deadlineMs } = options;

  app.get<{ Querystring: GroupFilterQuery }>('/api/group-calls', { schema: LIST_GROUP_CALLS_SCHEMA }, async (request) => {
    const query: GroupCallListQuery = { filter: filterOf(request.query), clock: { now: now(), deadlineMs }, limit: limitOf(request.query.limit) };
    const cursor = request.query.cursor;
    if (cursor !== undefined) {
      const position = typeof cursor === 'string' ? decodeGroupCursor(cursor) : 'must be given at most once';
      if (typeof position === 'string') throw new AppError('invalid_parameter', 'Invalid query parameter: cursor', [{ field: 'cursor', problem: position }]);
      query.after = position;
    }
    const page = await store.listGroupCalls(query);
    return { items: page.calls, next_cursor: page.next === null ? null : encodeGroupCursor(page.next) };
  });

  app.get<{ Querystring: GroupFilterQuery }>('/api/group-calls/export', { schema: EXPORT_GROUP_CALLS_SCHEMA }, async (request, reply) => {
    const filter = filterOf(request.query);
    const format = exportFormatOf(request.query.format);
    const rows = rowsOf(request.query.rows);
    const raw = rawOf(request.query.raw);
    const lines = streamGroupLines(store, filter, { now: now(), deadlineMs }, rows);
    return sendExport(reply, groupExportChunks(lines, format, rows, undefined, { raw }), { format, raw, name: rows === 'stays' ? 'group-call-stays' : 'group-calls' });
  });

  app.get<{ Params: { sid: string } }>('/api/group-calls/:sid', { schema: GET_GROUP_CALL_SCHEMA }, async (request) => {
    const call = await store.getGroupCall(request.params.sid, { now: now(), deadlineMs });
    if (call === null) throw new AppError('not_found', `No group call with sid ${JSON.stringify(request.params.sid)}`);
    return call;
  });
}

/** The list's and the export's filters, or the 400 naming every bad one. */
function filterOf(query: GroupFilterQuery): GroupCallFilter {
  const parsed = parseGroupCallFilter(query);
  if (!parsed.ok) throw new AppError('invalid_parameter', `Invalid query parameter(s): ${parsed.problems.map((p) => p.field).join(', ')}`, parsed.problems);
  return parsed.filter;
}

/** `rows` of an export: sessions (the default) or stays. */
function rowsOf(value: string | readonly string[] | undefined): GroupExportRows {
  const rows = single(value, 'rows') ?? 'sessions';
  if (!(GROUP_EXPORT_ROWS as readonly string[]).includes(rows)) throw invalid('rows', `must be one of ${GROUP_EXPORT_ROWS.join(', ')}`);
  return rows as GroupExportRows;
}

function limitOf(raw: string | readonly string[] | undefined): number {
  if (raw === undefined) return DEFAULT_GROUP_CALL_PAGE;
  const limit = typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_GROUP_CALL_PAGE)) {
    throw new AppError('invalid_parameter', 'Invalid query parameter: limit', [{ field: 'limit', problem: `must be a whole number from 1 to ${MAX_GROUP_CALL_PAGE}, once` }]);
  }
  return limit;
}
