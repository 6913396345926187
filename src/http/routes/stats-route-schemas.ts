import { BREAKDOWN_FIELDS, DEFAULT_BREAKDOWN_LIMIT, MAX_BREAKDOWN_LIMIT } from '../../domain/stats/stats-query.js';
import { BUCKETS } from '../../domain/stats/time-buckets.js';
import { ref, type Schema } from '../openapi/openapi-schemas.js';
import { BUCKET_PARAMETER, EXACT_PARAMETER, FILTER_PARAMETERS, querystring, TZ_PARAMETER, UNBUCKETED_TZ_PARAMETER } from '../openapi/query-parameters.js';
import { answer, READ_ERRORS } from '../openapi/responses.js';

const STATS_NOTE = 'Figures per docs/spec/outcomes.md §2; ratios are fractions in [0,1] and null when their denominator is 0.';

/**
 * A statistics answer (200) with the header every one carries, not the 4xx/5xx ones:
 * `Server-Timing` says how long the statistics took and whether the rollups or a scan of
 * `scanned` (the calls, the group sessions) answered.
 */
export function statsAnswerOf(scanned: 'calls' | 'sessions'): (schema: Schema) => Schema {
  const headers = {
    'Server-Timing': {
      type: 'string',
      description: `how long the statistics took on the server, in milliseconds, and where they came from: the rollups, or a scan of the ${scanned} (exact=true, or a filter the rollups cannot answer)`,
      pattern: `^stats;dur=[0-9]+\\.[0-9];desc="(rollups|${scanned})"$`,
      examples: ['stats;dur=3.2;desc="rollups"'],
    },
  };
  return (schema) => ({ ...answer(schema), headers });
}

/** The figures of a component (`Figures`, `GroupFigures`) plus the members that say which bucket or value they belong to. */
export function figuresWith(component: string, properties: Record<string, Schema>): Schema {
  return { allOf: [ref(component), { type: 'object', required: Object.keys(properties), properties }] };
}

/** A time series answer: its bucket, its zone, and the figures of a component per bucket. */
export function timeseriesAnswer(component: string): Schema {
  return {
    type: 'object',
    required: ['bucket', 'tz', 'items'],
    properties: {
      bucket: { type: 'string', enum: [...BUCKETS] },
      tz: { type: 'string' },
      items: { type: 'array', items: figuresWith(component, { bucket_start: { type: 'integer' }, bucket_start_iso: { type: 'string' } }) },
    },
  };
}

const statsAnswer = statsAnswerOf('calls');

/** `GET /api/stats/summary`. */
export const SUMMARY_SCHEMA: Schema = {
  operationId: 'getStatsSummary',
  tags: ['statistics'],
  summary: 'Figures over a window',
  description: `${STATS_NOTE} tz is accepted but has no effect here.`,
  querystring: querystring({ ...FILTER_PARAMETERS, exact: EXACT_PARAMETER, tz: UNBUCKETED_TZ_PARAMETER }),
  response: {
    200: statsAnswer({ type: 'object', required: ['from', 'to', 'summary'], properties: { from: { type: ['integer', 'null'] }, to: { type: ['integer', 'null'] }, summary: ref('Figures') } }),
    ...READ_ERRORS,
  },
};

/** `GET /api/stats/timeseries`. */
export const TIMESERIES_SCHEMA: Schema = {
  operationId: 'getStatsTimeseries',
  tags: ['statistics'],
  summary: 'Figures per time bucket',
  description: `${STATS_NOTE} Empty buckets are present. from/to default to the last 24 hours.`,
  querystring: querystring({
    bucket: BUCKET_PARAMETER,
    tz: TZ_PARAMETER,
    exact: EXACT_PARAMETER,
    ...FILTER_PARAMETERS,
  }),
  response: {
    200: statsAnswer(timeseriesAnswer('Figures')),
    ...READ_ERRORS,
  },
};

/** `GET /api/stats/breakdown`. */
export const BREAKDOWN_SCHEMA: Schema = {
  operationId: 'getStatsBreakdown',
  tags: ['statistics'],
  summary: 'Figures per value of one dimension, largest attempts first',
  description: `${STATS_NOTE} tz is accepted but has no effect here.`,
  querystring: querystring(
    {
      by: { type: 'string', enum: [...BREAKDOWN_FIELDS], description: 'the dimension' },
      limit: { type: 'integer', minimum: 1, maximum: MAX_BREAKDOWN_LIMIT, default: DEFAULT_BREAKDOWN_LIMIT, description: 'most values returned' },
      exact: EXACT_PARAMETER,
      tz: UNBUCKETED_TZ_PARAMETER,
      ...FILTER_PARAMETERS,
    },
    ['by'],
  ),
  response: {
    200: statsAnswer({
      type: 'object',
      required: ['by', 'items'],
      properties: {
        by: { type: 'string', enum: [...BREAKDOWN_FIELDS] },
        items: { type: 'array', items: figuresWith('Figures', { value: { type: ['string', 'number', 'null'] } }) },
      },
    }),
    ...READ_ERRORS,
  },
};
