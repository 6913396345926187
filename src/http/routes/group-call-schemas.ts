import { EXPORT_FORMATS, EXPORT_MEDIA_TYPES } from '../../domain/call-log/export-lines.js';
import { GROUP_EXPORT_ROWS } from '../../domain/group/group-export-lines.js';
import { GROUP_SESSION_PROPERTIES, GROUP_STAY_PROPERTIES } from '../openapi/group-call-components.js';
import { ref, type Schema } from '../openapi/openapi-schemas.js';
import { querystring } from '../openapi/query-parameters.js';
import { answer, mediaAnswer, READ_ERRORS, SID_ERRORS, SID_PARAMS } from '../openapi/responses.js';
import { RAW_PARAMETER } from './call-route-schemas.js';

/** Group calls one page returns by default, and at most. */
export const DEFAULT_GROUP_CALL_PAGE = 50;
export const MAX_GROUP_CALL_PAGE = 1_000;

const time = (description: string): Schema => ({ type: 'string', description: `${description}: an ISO 8601 time with a zone, or Unix milliseconds` });

/**
 * The filters of the group call list, its export and the group statistics
 * (parseGroupCallFilter): each compares a field of the GroupCallSummary or GroupStay
 * component, whose schema it takes.
 */
export const GROUP_FILTER_PARAMETERS: Record<string, Schema> = {
  svc_id: GROUP_SESSION_PROPERTIES.svc_id,
  id: GROUP_SESSION_PROPERTIES.id,
  host_svc_id: GROUP_SESSION_PROPERTIES.host_svc_id,
  host_id: GROUP_SESSION_PROPERTIES.host_id,
  user_svc_id: { ...GROUP_STAY_PROPERTIES.user_svc_id, description: "sessions with a stay of a participant of this service (the participant's service id)" },
  user_id: { ...GROUP_STAY_PROPERTIES.user_id, description: "sessions with a stay of this participant (the participant's user id)" },
  from: time('sessions started at or after'),
  to: time('sessions started before'),
  state: GROUP_SESSION_PROPERTIES.state,
  stay_status: { ...GROUP_STAY_PROPERTIES.status, description: 'sessions with at least one stay in this status' },
};

/** `GET /api/group-calls`. */
export const LIST_GROUP_CALLS_SCHEMA: Schema = {
  operationId: 'listGroupCalls',
  tags: ['group calls'],
  summary: 'List group calls (room sessions), newest start first',
  description: 'Ordered by started_at then sid, newest first. Keyset pagination: pass next_cursor as cursor with the same filters; sessions stored meanwhile never shift a page.',
  querystring: querystring({
    ...GROUP_FILTER_PARAMETERS,
    limit: { type: 'integer', minimum: 1, maximum: MAX_GROUP_CALL_PAGE, default: DEFAULT_GROUP_CALL_PAGE, description: 'sessions per page' },
    cursor: { type: 'string', description: 'next_cursor of the previous page (opaque)' },
  }),
  response: {
    200: answer({
      type: 'object',
      required: ['items', 'next_cursor'],
      properties: { items: { type: 'array', items: ref('GroupCallSummary') }, next_cursor: { type: ['string', 'null'] } },
    }),
    ...READ_ERRORS,
  },
};

/** `GET /api/group-calls/export`. */
export const EXPORT_GROUP_CALLS_SCHEMA: Schema = {
  operationId: 'exportGroupCalls',
  tags: ['group calls'],
  summary: 'Export every matching group call, or every stay of them (streamed)',
  description:
    'The list\'s filters and order (newest start first), without pages: streamed, any size. rows=sessions (default): one line per session, ' +
    'the fields of a GroupCallSummary. rows=stays: one line per participant stay of those sessions (the filters select sessions: every stay of a matching one): the session\'s sid, svc_id, id, session_started_at, session_ended_at and session_state, then the fields of a GroupStay. ' +
    'CSV: RFC 4180, header row, CRLF; times in Unix milliseconds; flags as their codes separated by spaces; media_changes as <ts>:<media_type> separated by spaces. ' +
    'NDJSON: one JSON object per line, exactly as stored.',
  querystring: querystring({
    ...GROUP_FILTER_PARAMETERS,
    format: { type: 'string', enum: [...EXPORT_FORMATS], default: 'csv', description: 'output format' },
    rows: { type: 'string', enum: [...GROUP_EXPORT_ROWS], default: 'sessions', description: 'one line per session, or one per participant stay' },
    raw: RAW_PARAMETER,
  }),
  response: { 200: mediaAnswer('the sessions or stays', EXPORT_FORMATS.map((format) => EXPORT_MEDIA_TYPES[format].split(';')[0] ?? '')), ...READ_ERRORS },
};

/** `GET /api/group-calls/:sid`. */
export const GET_GROUP_CALL_SCHEMA: Schema = {
  operationId: 'getGroupCall',
  tags: ['group calls'],
  summary: 'One group call with every participant stay',
  description: 'The sid with or without hyphens, in any case.',
  params: SID_PARAMS,
  response: { 200: answer(ref('GroupCall')), ...SID_ERRORS },
};
