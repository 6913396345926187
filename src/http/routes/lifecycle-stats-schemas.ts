import { BUCKETS } from '../../domain/stats/time-buckets.js';
import type { Schema } from '../openapi/openapi-schemas.js';
import { BUCKET_PARAMETER, querystring, TZ_PARAMETER, UNBUCKETED_TZ_PARAMETER } from '../openapi/query-parameters.js';
import { answer, READ_ERRORS } from '../openapi/responses.js';

const NOTE = 'Figures per docs/spec/outcomes.md §3; ratios are fractions in [0,1] and null when their denominator is 0. from/to default to the last 24 hours (to: the end of the current quarter-hour).';
const TIME = 'Unix seconds, ISO-8601 (a date is midnight UTC; no offset means UTC) or relative to now like -24h, -7d';
const WINDOW = {
  from: { type: 'string', description: `start of the window, inclusive: ${TIME}` },
  to: { type: 'string', description: `end of the window, exclusive: ${TIME}` },
};
const SERVER_TIMING = {
  'Server-Timing': {
    type: 'string',
    description: 'how long the statistics took on the server, in milliseconds; they come from the lifecycle rollups (and the stored rows at edges off the quarter-hours)',
    pattern: '^stats;dur=[0-9]+\\.[0-9];desc="rollups"$',
  },
};
const count = { type: 'integer', minimum: 0 };
const ratio = { type: ['number', 'null'], minimum: 0, maximum: 1 };
const ms = { type: ['integer', 'null'] };
const percentiles = (description: string): Schema => ({ type: 'object', description, required: ['p50', 'p99'], properties: { p50: ms, p99: ms } });
const object = (properties: Record<string, Schema>, description?: string): Schema => ({
  type: 'object', required: Object.keys(properties), properties, ...(description === undefined ? {} : { description }),
});

/** `GET /api/stats/lifecycle`. */
export const LIFECYCLE_SUMMARY_SCHEMA: Schema = {
  operationId: 'getLifecycleStats',
  tags: ['statistics'],
  summary: 'Notify, relay, end coverage, push failures and Agent Call Status over a window',
  description: `${NOTE} tz is accepted but has no effect here.`,
  querystring: querystring({ ...WINDOW, tz: UNBUCKETED_TZ_PARAMETER }),
  response: {
    200: {
      ...answer(object({
        from: { type: 'string', description: 'the window start, ISO-8601 UTC' },
        to: { type: 'string', description: 'the window end (exclusive), ISO-8601 UTC' },
        notifies: count,
        notifiesWithEnd: count,
        endCoverage: ratio,
        endMissing: count,
        endsWithoutNotify: count,
        relay: object({
          attempts: count, ok: count, httpError: count, timeout: count, unreachable: count, successRatio: ratio,
          latencyMs: percentiles('latency of the relay attempts, ms (two significant digits)'),
        }),
        setupToNotifyMs: percentiles("Notify received_at − the Call Event's setup_time, ms; may be negative (two clocks)"),
        pushFailures: object({ total: count, notifyNotReceived: count, pushHandler: count, other: count }, 'calls ended with PUSH_ERROR (1302 / legacy 1020), by diagnosis'),
        agentCallStatus: object({
          success: count,
          fail: count,
          byFailReason: { type: 'array', items: object({ failReason: { type: ['string', 'null'] }, count }), description: 'largest count first, then by reason' },
        }),
      })),
      headers: SERVER_TIMING,
    },
    ...READ_ERRORS,
  },
};

/** `GET /api/stats/lifecycle/timeseries`. */
export const LIFECYCLE_TIMESERIES_SCHEMA: Schema = {
  operationId: 'getLifecycleTimeseries',
  tags: ['statistics'],
  summary: 'Lifecycle counts per time bucket',
  description: `${NOTE} Empty buckets are present; the first and last count only their part inside [from, to).`,
  querystring: querystring({
    ...WINDOW,
    bucket: BUCKET_PARAMETER,
    tz: TZ_PARAMETER,
  }),
  response: {
    200: {
      ...answer(object({
        from: { type: 'string' },
        to: { type: 'string' },
        bucket: { type: 'string', enum: [...BUCKETS] },
        tz: { type: 'string' },
        points: {
          type: 'array',
          items: object({
            start: { type: 'string', description: "the bucket's start, ISO-8601 with the zone's offset" },
            notifies: count, notifiesWithEnd: count, endMissing: count, relayAttempts: count, relayOk: count,
            pushFailures: count, agentCallSuccess: count, agentCallFail: count,
          }),
        },
      })),
      headers: SERVER_TIMING,
    },
    ...READ_ERRORS,
  },
};
