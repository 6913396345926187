import type { FastifyInstance } from 'fastify';
import { decodeGroupCursor, encodeGroupCursor } from '../../domain/group/group-call-cursor.js';
import { type GroupFilterQuery, parseGroupCallFilter } from '../../domain/group/parse-group-call-filter.js';
import { AppError } from '../../errors/app-error.js';
import type { CallStore, GroupCallListQuery } from '../../storage/port.js';
import { DEFAULT_GROUP_CALL_PAGE, GET_GROUP_CALL_SCHEMA, LIST_GROUP_CALLS_SCHEMA, MAX_GROUP_CALL_PAGE } from './group-call-schemas.js';

/**
 * Group calls (docs/spec/group-calls.md): `GET /api/group-calls` (filtered pages, newest
 * start first) and `GET /api/group-calls/:sid` (the session with every stay). A session's
 * state is read with GROUP_END_DEADLINE (`deadlineMs`) at the time of the request.
 */
export async function groupCallRoutes(app: FastifyInstance, options: { store: CallStore; now: () => number; deadlineMs: number }): Promise<void> {
  const { store, now, deadlineMs } = options;

  app.get<{ Querystring: GroupFilterQuery }>('/api/group-calls', { schema: LIST_GROUP_CALLS_SCHEMA }, async (request) => {
    const parsed = parseGroupCallFilter(request.query);
    if (!parsed.ok) throw new AppError('invalid_parameter', `Invalid query parameter(s): ${parsed.problems.map((p) => p.field).join(', ')}`, parsed.problems);
    const query: GroupCallListQuery = { filter: parsed.filter, clock: { now: now(), deadlineMs }, limit: limitOf(request.query.limit) };
    const cursor = request.query.cursor;
    if (cursor !== undefined) {
      const position = typeof cursor === 'string' ? decodeGroupCursor(cursor) : 'must be given at most once';
      if (typeof position === 'string') throw new AppError('invalid_parameter', 'Invalid query parameter: cursor', [{ field: 'cursor', problem: position }]);
      query.after = position;
    }
    const page = await store.listGroupCalls(query);
    return { items: page.calls, next_cursor: page.next === null ? null : encodeGroupCursor(page.next) };
  });

  app.get<{ Params: { sid: string } }>('/api/group-calls/:sid', { schema: GET_GROUP_CALL_SCHEMA }, async (request) => {
    const call = await store.getGroupCall(request.params.sid, { now: now(), deadlineMs });
    if (call === null) throw new AppError('not_found', `No group call with sid ${JSON.stringify(request.params.sid)}`);
    return call;
  });
}

function limitOf(raw: string | readonly string[] | undefined): number {
  if (raw === undefined) return DEFAULT_GROUP_CALL_PAGE;
  const limit = typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_GROUP_CALL_PAGE)) {
    throw new AppError('invalid_parameter', 'Invalid query parameter: limit', [{ field: 'limit', problem: `must be a whole number from 1 to ${MAX_GROUP_CALL_PAGE}, once` }]);
  }
  return limit;
}
