import { OUTCOMES, ENDED_BY_VALUES } from '../../domain/classify/call-status.js';
import { DEFAULT_BREAKDOWN_LIMIT, MAX_BREAKDOWN_LIMIT } from '../../domain/stats/stats-query.js';
import { ERROR_STATUS, type ErrorCode } from '../../errors/app-error.js';
import { OPENAPI_SCHEMAS } from './openapi-schemas.js';

/** The `spool` member of /readyz, present only when a local spool fronts PostgreSQL. */
const SPOOL_READINESS = {
  type: 'object',
  description: 'only with PostgreSQL and SPOOL_FILE on: taking_callbacks while the database is down, draining while spooled records wait, standby when empty',
  properties: {
    status: { type: 'string', enum: ['standby', 'draining', 'taking_callbacks'] },
    pending: { type: 'integer', description: 'records waiting in the spool' },
    held: { type: 'integer', description: 'records the database refused for a reason other than availability, kept apart in the spool file' },
  },
};

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const query = (name: string, description: string, schema: Json = { type: 'string' }, extra: Json = {}): Json => ({ name, in: 'query', description, schema, ...extra });

function errors(...codes: ErrorCode[]): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries([...byStatus].map(([status, list]) => [String(status), json(ref('Error'), `error code ${list.join(' or ')}`)]));
}

const TIME = 'Unix seconds, ISO-8601 (a date is midnight UTC; no offset means UTC) or relative to now like -24h, -7d';

/** The filter parameters shared by the call list, the export and every statistics endpoint. */
const FILTER_PARAMETERS: Json[] = [
  query('from', `start of the window, inclusive: ${TIME}`),
  query('to', `end of the window, exclusive: ${TIME}`),
  query('time_field', 'which time the window applies to', { type: 'string', enum: ['setup_time', 'end_time'], default: 'setup_time' }),
  query('user', 'a user id, as caller or callee'),
  query('from_user_id', "the caller's user id"),
  query('to_user_id', "the callee's user id"),
  query('from_service_id', "the caller's service id"),
  query('to_service_id', "the callee's service id"),
  query('type', 'A audio, V video', { type: 'string', enum: ['A', 'V'] }),
  query('outcome', 'any of these outcomes; repeat the parameter or separate with commas', { type: 'array', items: { type: 'string', enum: [...OUTCOMES] } }, { style: 'form', explode: true }),
  query('reason', 'the decisive reason name, e.g. NETWORK_UNSTABLE or "unknown (1399)"'),
  query('ended_by', 'who ended the call', { type: 'string', enum: [...ENDED_BY_VALUES] }),
  query('min_duration', 'least duration in seconds', { type: 'integer', minimum: 0 }),
  query('max_duration', 'most duration in seconds', { type: 'integer', minimum: 0 }),
];
const TZ = query('tz', 'IANA time zone for buckets and ISO times, e.g. Asia/Tokyo', { type: 'string', default: 'UTC' });
const UNBUCKETED_TZ = query('tz', 'accepted and checked (an IANA time zone, else 400) but without effect: there are no buckets, and times are answered as Unix seconds', { type: 'string' });
const EXACT = query(
  'exact',
  'true: answer from a scan of the calls even when the rollups could answer (exact percentiles and peak concurrency; slower). Only the words true or false.',
  { type: 'boolean', default: false },
);
const READ_ERRORS = errors('invalid_parameter', 'unauthorized', 'internal_error', 'storage_unavailable');

/** Each Call Event field as a query parameter, typed as in the CallEvent schema; on GET the mandatory ones are required. */
function callEventQueryParameters(method: 'get' | 'post'): Json[] {
  const { properties, required } = OPENAPI_SCHEMAS.CallEvent as { properties: Record<string, Json>; required: string[] };
  return Object.entries(properties).map(([name, schema]) => query(name, `Call Event field ${name}`, schema, { required: method === 'get' && required.includes(name) }));
}

const CALLBACK_OPERATION = (method: 'get' | 'post'): Json => ({
  tags: ['callbacks'],
  operationId: method === 'get' ? 'receiveCallEventByGet' : 'receiveCallEventByPost',
  summary: `LINE Planet 1-to-1 Call Event callback (${method.toUpperCase()})`,
  description:
    'Configure this URL as on_call_evt_cb_url. Fields arrive as query parameters' +
    (method === 'post' ? ' and/or an application/x-www-form-urlencoded or JSON body' : '') +
    '. Keys this version does not know are accepted and kept in the call\'s extra. Never needs the API token. With CALLBACK_SECRET set the path is /callbacks/{secret}/call-event. ' +
    'Malformed callbacks are stored in quarantine and answered 4xx with one detail per bad field.',
  security: [],
  ...(method === 'post' ? { requestBody: { content: { 'application/x-www-form-urlencoded': { schema: ref('CallEvent') }, 'application/json': { schema: ref('CallEvent') } } } } : {}),
  parameters: callEventQueryParameters(method),
  responses: {
    200: json({ type: 'object', properties: { result: { type: 'string', enum: ['accepted', 'duplicate', 'conflict', 'spooled'] }, sid: { type: 'string' } } }, 'stored (or already stored; spooled: PostgreSQL was down, kept in the local spool and moved into it later): LINE Planet need not retry'),
    ...errors('invalid_callback', 'forbidden', 'not_found', 'payload_too_large', 'uri_too_long', 'unsupported_media_type', 'storage_unavailable'),
  },
});

const STATS_NOTE = 'Figures per docs/spec/outcomes.md §2; ratios are fractions in [0,1] and null when their denominator is 0.';

/** The header every statistics answer carries (not the 4xx/5xx ones). */
const SERVER_TIMING = {
  'Server-Timing': {
    description: 'how long the statistics took on the server, in milliseconds, and where they came from: the rollups, or a scan of the calls (exact=true, or a filter the rollups cannot answer)',
    schema: { type: 'string', pattern: '^stats;dur=[0-9]+\\.[0-9];desc="(rollups|calls)"$', examples: ['stats;dur=3.2;desc="rollups"'] },
  },
};
const statsAnswer = (schema: Json): Json => ({ ...json(schema), headers: SERVER_TIMING });

/**
 * The OpenAPI 3.1 document of the whole HTTP API, served at /api/openapi.json.
 * Written by hand from the agreed shapes: routes stay free of schema plumbing.
 */
export function buildOpenApiDocument(version: string): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'callevt API',
      version,
      description:
        'Receives LINE Planet 1-to-1 Call Event callbacks, stores them durably, classifies each call and serves call logs and statistics. ' +
        'Read endpoints need `Authorization: Bearer <token>` when API_TOKEN is set; on a loopback address without API_TOKEN they are open. ' +
        'Errors are `{"error":{"code","message","details"}}`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    // Relative: the callevt that served this document, whatever host, port or proxy it is reached through.
    servers: [{ url: '/', description: 'the callevt serving this document' }],
    tags: [
      { name: 'callbacks', description: 'what LINE Planet calls' },
      { name: 'calls', description: 'the call log' },
      { name: 'statistics', description: 'figures over the call log' },
      { name: 'quarantine', description: 'refused callbacks, kept' },
      { name: 'operations', description: 'health, readiness, metrics, this document' },
    ],
    security: [{ bearer: [] }],
    paths: {
      '/callbacks/call-event': { get: CALLBACK_OPERATION('get'), post: CALLBACK_OPERATION('post') },
      '/api/calls': {
        get: {
          operationId: 'listCalls',
          tags: ['calls'],
          summary: 'List calls, newest first',
          description: 'Ordered by the time_field (setup_time by default) then id, newest first. Keyset pagination: pass next_cursor as cursor with the same filters; calls stored meanwhile never shift a page.',
          parameters: [
            ...FILTER_PARAMETERS,
            query('limit', 'calls per page', { type: 'integer', minimum: 1, maximum: 1000, default: 50 }),
            query('cursor', 'next_cursor of the previous page (opaque)'),
          ],
          responses: {
            200: json({ type: 'object', required: ['items', 'next_cursor'], properties: { items: { type: 'array', items: ref('Call') }, next_cursor: { type: ['string', 'null'] } } }),
            ...READ_ERRORS,
          },
        },
      },
      '/api/calls/export': {
        get: {
          operationId: 'exportCalls',
          tags: ['calls'],
          summary: 'Export every matching call (streamed)',
          description: 'CSV (RFC 4180, header row, CRLF; extra as JSON; status columns last) or NDJSON (one Call per line), newest first. Streamed: any size.',
          parameters: [
            ...FILTER_PARAMETERS,
            query('format', 'output format', { type: 'string', enum: ['csv', 'ndjson'], default: 'csv' }),
            query('raw', "CSV only. false (default): text cells starting with =, +, -, @, tab or CR get a leading ' (OWASP CSV injection), and the answer has X-CSV-Formulas: neutralised. true: every cell exactly as stored (X-CSV-Formulas: raw). Only the words true or false.", { type: 'boolean', default: false }),
          ],
          responses: {
            200: { description: 'the calls', content: { 'text/csv': { schema: { type: 'string' } }, 'application/x-ndjson': { schema: { type: 'string' } } } },
            ...READ_ERRORS,
          },
        },
      },
      '/api/calls/{sid}': {
        get: {
          operationId: 'getCall',
          tags: ['calls'],
          summary: 'One call with its status',
          parameters: [{ name: 'sid', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: json(ref('Call')), ...errors('not_found', 'unauthorized', 'internal_error', 'storage_unavailable') },
        },
      },
      '/api/calls/{sid}/deliveries': {
        get: {
          operationId: 'listCallDeliveries',
          tags: ['calls'],
          summary: "Every delivery of a call's sid, oldest first, as received",
          description: 'The raw requests recorded for this sid: the first (accepted), identical repeats (duplicate) and conflicting versions (conflict). The accepted one is the call\'s raw_request_id; its query (GET) or body (POST) is the callback byte for byte.',
          parameters: [{ name: 'sid', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: json({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('Delivery') } } }),
            ...errors('not_found', 'unauthorized', 'internal_error', 'storage_unavailable'),
          },
        },
      },
      '/api/calls/{sid}/conflicts': {
        get: {
          operationId: 'listCallConflicts',
          tags: ['calls'],
          summary: 'The conflicting versions of a call, oldest first',
          description: 'Each distinct version of this sid that arrived after the first with different content (once per content), parsed, with the fields whose values differ from the stored call.',
          parameters: [{ name: 'sid', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: json({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('ConflictingVersion') } } }),
            ...errors('not_found', 'unauthorized', 'internal_error', 'storage_unavailable'),
          },
        },
      },
      '/api/quarantine': {
        get: {
          operationId: 'listQuarantine',
          tags: ['quarantine'],
          summary: 'Refused callbacks, newest first',
          parameters: [
            query('limit', 'entries per page', { type: 'integer', minimum: 1, maximum: 1000, default: 50 }),
            query('before', 'next_before of the previous page', { type: 'integer', minimum: 1 }),
          ],
          responses: {
            200: json({ type: 'object', properties: { items: { type: 'array', items: ref('QuarantineEntry') }, next_before: { type: ['integer', 'null'] } } }),
            ...READ_ERRORS,
          },
        },
      },
      '/api/stats/summary': {
        get: {
          operationId: 'getStatsSummary',
          tags: ['statistics'],
          summary: 'Figures over a window',
          description: `${STATS_NOTE} tz is accepted but has no effect here.`,
          parameters: [...FILTER_PARAMETERS, EXACT, UNBUCKETED_TZ],
          responses: {
            200: statsAnswer({ type: 'object', properties: { from: { type: ['integer', 'null'] }, to: { type: ['integer', 'null'] }, summary: ref('Figures') } }),
            ...READ_ERRORS,
          },
        },
      },
      '/api/stats/timeseries': {
        get: {
          operationId: 'getStatsTimeseries',
          tags: ['statistics'],
          summary: 'Figures per time bucket',
          description: `${STATS_NOTE} Empty buckets are present. from/to default to the last 24 hours.`,
          parameters: [query('bucket', 'bucket size', { type: 'string', enum: ['minute', 'hour', 'day', 'week'], default: 'hour' }), TZ, EXACT, ...FILTER_PARAMETERS],
          responses: {
            200: statsAnswer({
              type: 'object',
              properties: {
                bucket: { type: 'string' },
                tz: { type: 'string' },
                items: { type: 'array', items: { allOf: [ref('Figures'), { type: 'object', properties: { bucket_start: { type: 'integer' }, bucket_start_iso: { type: 'string' } } }] } },
              },
            }),
            ...READ_ERRORS,
          },
        },
      },
      '/api/stats/breakdown': {
        get: {
          operationId: 'getStatsBreakdown',
          tags: ['statistics'],
          summary: 'Figures per value of one dimension, largest attempts first',
          description: `${STATS_NOTE} tz is accepted but has no effect here.`,
          parameters: [
            query('by', 'the dimension', { type: 'string', enum: ['outcome', 'reason', 'terminate', 'ended_by', 'type', 'from_service_id', 'to_service_id', 'caller', 'callee'] }, { required: true }),
            query('limit', 'most values returned', { type: 'integer', minimum: 1, maximum: MAX_BREAKDOWN_LIMIT, default: DEFAULT_BREAKDOWN_LIMIT }),
            EXACT,
            UNBUCKETED_TZ,
            ...FILTER_PARAMETERS,
          ],
          responses: {
            200: statsAnswer({
              type: 'object',
              properties: {
                by: { type: 'string' },
                items: { type: 'array', items: { allOf: [ref('Figures'), { type: 'object', properties: { value: { type: ['string', 'number', 'null'] } } }] } },
              },
            }),
            ...READ_ERRORS,
          },
        },
      },
      '/metrics': {
        get: {
          tags: ['operations'],
          operationId: 'getMetrics',
          summary: 'Prometheus metrics (text exposition format)',
          description: 'Needs the API token like the read endpoints when API_TOKEN is set.',
          responses: { 200: { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errors('unauthorized') },
        },
      },
      '/healthz': { get: { tags: ['operations'], operationId: 'getHealth', summary: 'The process answers', security: [], responses: { 200: json({ type: 'object', properties: { status: { const: 'ok' } } }) } } },
      '/readyz': {
        get: {
          operationId: 'getReadiness',
          tags: ['operations'],
          summary: 'The database answers too',
          security: [],
          responses: {
            200: json({ type: 'object', properties: { status: { const: 'ready' }, database: { type: 'string' }, spool: SPOOL_READINESS } }),
            503: json({ type: 'object', properties: { status: { const: 'unavailable' }, database: { type: 'string' }, spool: SPOOL_READINESS } }, 'the database does not answer (with a spool, callbacks are still answered 200 from it)'),
          },
        },
      },
      '/api/openapi.json': { get: { tags: ['operations'], operationId: 'getOpenApiDocument', summary: 'This document', security: [], responses: { 200: json({ type: 'object' }) } } },
      '/api/docs': { get: { tags: ['operations'], operationId: 'getApiDocsPage', summary: 'This document as a browsable page (Swagger UI, served locally)', security: [], responses: { 200: { description: 'HTML' } } } },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'one of the tokens in API_TOKEN' } },
      schemas: OPENAPI_SCHEMAS,
    },
  };
}
