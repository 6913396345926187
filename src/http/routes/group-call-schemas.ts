import { STAY_STATUSES } from '../../domain/group/stay-status.js';
import { SESSION_STATES } from '../../domain/group/parse-group-call-filter.js';
import { ref, type Schema } from '../openapi/openapi-schemas.js';
import { querystring } from '../openapi/query-parameters.js';
import { answer, READ_ERRORS, SID_ERRORS, SID_PARAMS } from '../openapi/responses.js';

/** Group calls one page returns by default, and at most. */
export const DEFAULT_GROUP_CALL_PAGE = 50;
export const MAX_GROUP_CALL_PAGE = 1_000;

const time = (description: string): Schema => ({ type: 'string', description: `${description}: an ISO 8601 time with a zone, or Unix milliseconds` });

/** The filters of a group call list, read by parseGroupCallFilter (the group statistics take them too). */
export const GROUP_FILTER_PARAMETERS: Record<string, Schema> = {
  svc_id: { type: 'string', description: "the room's service id" },
  id: { type: 'string', description: "the room's id" },
  host_svc_id: { type: 'string', description: "the host's service id" },
  host_id: { type: 'string', description: "the host's user id" },
  user_svc_id: { type: 'string', description: "a participant's service id" },
  user_id: { type: 'string', description: 'a participant with a stay in the session' },
  from: time('sessions started at or after'),
  to: time('sessions started before'),
  state: { type: 'string', enum: [...SESSION_STATES], description: 'the session state' },
  stay_status: { type: 'string', enum: [...STAY_STATUSES], description: 'sessions with at least one stay in this status' },
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

/** `GET /api/group-calls/:sid`. */
export const GET_GROUP_CALL_SCHEMA: Schema = {
  operationId: 'getGroupCall',
  tags: ['group calls'],
  summary: 'One group call with every participant stay',
  description: 'The sid with or without hyphens, in any case.',
  params: SID_PARAMS,
  response: { 200: answer(ref('GroupCall')), ...SID_ERRORS },
};
