import { DEFAULT_BREAKDOWN_LIMIT, MAX_BREAKDOWN_LIMIT } from '../../domain/stats/stats-query.js';
import { GROUP_BREAKDOWN_FIELDS, GROUP_MEDIA_TYPES } from '../../domain/group/group-stats-query.js';
import { ref, type Schema } from '../openapi/openapi-schemas.js';
import { BUCKET_PARAMETER, querystring, TZ_PARAMETER } from '../openapi/query-parameters.js';
import { READ_ERRORS } from '../openapi/responses.js';
import { GROUP_FILTER_PARAMETERS } from './group-call-schemas.js';
import { figuresWith, statsAnswerOf, timeseriesAnswer } from './stats-route-schemas.js';

const NOTE = 'Group figures per docs/spec/group-calls.md §4 over the sessions that started in the window (started_at); ratios are fractions in [0,1] and null when their denominator is 0; end_missing is read at the time of the request.';

const statsAnswer = statsAnswerOf('sessions');

/** The parameters every group statistics endpoint reads besides its own. */
const COMMON = {
  ...GROUP_FILTER_PARAMETERS,
  media_type: { type: 'string', enum: [...GROUP_MEDIA_TYPES], description: "the session's media type: A audio, V video" },
  exact: {
    type: 'boolean',
    default: false,
    description: 'true: answer from a scan of the sessions even when the rollups could answer (the same figures, slower). Only the words true or false.',
  },
};

const UNBUCKETED_TZ: Schema = { type: 'string', description: 'accepted and checked (an IANA time zone, else 400) but without effect: there are no buckets' };

/** `GET /api/stats/group`. */
export const GROUP_SUMMARY_SCHEMA: Schema = {
  operationId: 'getGroupStatsSummary',
  tags: ['statistics', 'group calls'],
  summary: 'Group figures over a window',
  description: `${NOTE} from and to are answered as given (Unix milliseconds), null when not given.`,
  querystring: querystring({ ...COMMON, tz: UNBUCKETED_TZ }),
  response: {
    200: statsAnswer({
      type: 'object',
      required: ['from', 'to', 'summary'],
      properties: { from: { type: ['integer', 'null'] }, to: { type: ['integer', 'null'] }, summary: ref('GroupFigures') },
    }),
    ...READ_ERRORS,
  },
};

/** `GET /api/stats/group/timeseries`. */
export const GROUP_TIMESERIES_SCHEMA: Schema = {
  operationId: 'getGroupStatsTimeseries',
  tags: ['statistics', 'group calls'],
  summary: 'Group figures per time bucket',
  description: `${NOTE} Empty buckets are present; bucket_start is in Unix seconds, as in /api/stats/timeseries. from/to default to the last 24 hours, ending at the next whole hour.`,
  querystring: querystring({
    bucket: BUCKET_PARAMETER,
    tz: TZ_PARAMETER,
    ...COMMON,
  }),
  response: {
    200: statsAnswer(timeseriesAnswer('GroupFigures')),
    ...READ_ERRORS,
  },
};

/** `GET /api/stats/group/breakdown`. */
export const GROUP_BREAKDOWN_SCHEMA: Schema = {
  operationId: 'getGroupStatsBreakdown',
  tags: ['statistics', 'group calls'],
  summary: 'Group figures per value of one dimension, largest sessions first',
  description: `${NOTE} room and host values are the JSON text of [svc_id, id] and [host_svc_id, host_id]; a session counts under every ue_type of its stays, with those stays only (docs/spec/group-calls.md §4).`,
  querystring: querystring(
    {
      by: { type: 'string', enum: [...GROUP_BREAKDOWN_FIELDS], description: 'the dimension' },
      limit: { type: 'integer', minimum: 1, maximum: MAX_BREAKDOWN_LIMIT, default: DEFAULT_BREAKDOWN_LIMIT, description: 'most values returned' },
      tz: UNBUCKETED_TZ,
      ...COMMON,
    },
    ['by'],
  ),
  response: {
    200: statsAnswer({
      type: 'object',
      required: ['by', 'items'],
      properties: {
        by: { type: 'string', enum: [...GROUP_BREAKDOWN_FIELDS] },
        items: { type: 'array', items: figuresWith('GroupFigures', { value: { type: 'string' } }) },
      },
    }),
    ...READ_ERRORS,
  },
};
