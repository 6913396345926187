import { EXPORT_FORMATS, EXPORT_MEDIA_TYPES } from '../../domain/call-log/export-lines.js';
import { ref, type Schema } from '../openapi/openapi-schemas.js';
import { FILTER_PARAMETERS, querystring } from '../openapi/query-parameters.js';
import { answer, mediaAnswer, READ_ERRORS, SID_ERRORS, SID_PARAMS } from '../openapi/responses.js';

/** Calls one page returns by default, and at most. */
export const DEFAULT_CALL_PAGE = 50;
export const MAX_CALL_PAGE = 1_000;

/** `GET /api/calls`. */
export const LIST_CALLS_SCHEMA: Schema = {
  operationId: 'listCalls',
  tags: ['calls'],
  summary: 'List calls, newest first',
  description: 'Ordered by the time_field (setup_time by default) then id, newest first. Keyset pagination: pass next_cursor as cursor with the same filters; calls stored meanwhile never shift a page.',
  querystring: querystring({
    ...FILTER_PARAMETERS,
    limit: { type: 'integer', minimum: 1, maximum: MAX_CALL_PAGE, default: DEFAULT_CALL_PAGE, description: 'calls per page' },
    cursor: { type: 'string', description: 'next_cursor of the previous page (opaque)' },
  }),
  response: {
    200: answer({ type: 'object', required: ['items', 'next_cursor'], properties: { items: { type: 'array', items: ref('Call') }, next_cursor: { type: ['string', 'null'] } } }),
    ...READ_ERRORS,
  },
};

/** `raw` of an export: how CSV cells that start like a formula are written. */
export const RAW_PARAMETER: Schema = {
  type: 'boolean',
  default: false,
  description: "CSV only. false (default): text cells starting with =, +, -, @, tab or CR get a leading ' (OWASP CSV injection), and the answer has X-CSV-Formulas: neutralised. true: every cell exactly as stored (X-CSV-Formulas: raw). Only the words true or false.",
};

/** `GET /api/calls/export`. */
export const EXPORT_CALLS_SCHEMA: Schema = {
  operationId: 'exportCalls',
  tags: ['calls'],
  summary: 'Export every matching call (streamed)',
  description: 'CSV (RFC 4180, header row, CRLF; extra as JSON; status columns last) or NDJSON (one Call per line), newest first. Streamed: any size.',
  querystring: querystring({
    ...FILTER_PARAMETERS,
    format: { type: 'string', enum: [...EXPORT_FORMATS], default: 'csv', description: 'output format' },
    raw: RAW_PARAMETER,
  }),
  response: { 200: mediaAnswer('the calls', EXPORT_FORMATS.map((format) => EXPORT_MEDIA_TYPES[format].split(';')[0] ?? '')), ...READ_ERRORS },
};

/** `GET /api/calls/:sid`. */
export const GET_CALL_SCHEMA: Schema = {
  operationId: 'getCall',
  tags: ['calls'],
  summary: 'One call with its status',
  params: SID_PARAMS,
  response: { 200: answer(ref('Call')), ...SID_ERRORS },
};

/** `GET /api/calls/:sid/deliveries`. */
export const LIST_DELIVERIES_SCHEMA: Schema = {
  operationId: 'listCallDeliveries',
  tags: ['calls'],
  summary: "Every delivery of a call's sid, oldest first, as received",
  description: "The raw requests recorded for this sid: the first (accepted), identical repeats (duplicate) and conflicting versions (conflict). The accepted one is the call's raw_request_id; its query (GET) or body (POST) is the callback byte for byte.",
  params: SID_PARAMS,
  response: { 200: answer({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('Delivery') } } }), ...SID_ERRORS },
};

/** `GET /api/calls/:sid/conflicts`. */
export const LIST_CONFLICTS_SCHEMA: Schema = {
  operationId: 'listCallConflicts',
  tags: ['calls'],
  summary: 'The conflicting versions of a call, oldest first',
  description: 'Each distinct version of this sid that arrived after the first with different content (once per content), parsed, with the fields whose values differ from the stored call.',
  params: SID_PARAMS,
  response: { 200: answer({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('ConflictingVersion') } } }), ...SID_ERRORS },
};
