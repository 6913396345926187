import { ENDED_BY_VALUES, OUTCOMES } from '../../domain/classify/call-status.js';
import type { CALL_FILTER_PARAMETERS } from '../../domain/parse-call-filter.js';
import { BUCKETS } from '../../domain/stats/time-buckets.js';
import type { Schema } from './openapi-schemas.js';

/**
 * Query parameters are read by our own parsers (parseCallFilter, readParams …), which name
 * the parameter and the problem in every 400; these schemas document them. A test checks
 * that each route documents exactly the parameters it reads.
 */
export const querystring = (properties: Record<string, Schema>, required: readonly string[] = []): Schema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required: [...required] } : {}),
});

const text = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });

const TIME = 'Unix seconds, ISO-8601 (a date is midnight UTC; no offset means UTC) or relative to now like -24h, -7d';

/** The filter parameters shared by the call list, the export and every statistics endpoint (parseCallFilter). */
export const FILTER_PARAMETERS: Record<(typeof CALL_FILTER_PARAMETERS)[number], Schema> = {
  from: text(`start of the window, inclusive: ${TIME}`),
  to: text(`end of the window, exclusive: ${TIME}`),
  time_field: text('which time the window applies to', { enum: ['setup_time', 'end_time'], default: 'setup_time' }),
  user: text('a user id, as caller or callee'),
  from_user_id: text("the caller's user id"),
  to_user_id: text("the callee's user id"),
  from_service_id: text("the caller's service id"),
  to_service_id: text("the callee's service id"),
  type: text('A audio, V video', { enum: ['A', 'V'] }),
  outcome: { type: 'array', items: { type: 'string', enum: [...OUTCOMES] }, description: 'any of these outcomes; repeat the parameter or separate with commas' },
  reason: text('the decisive reason name, e.g. NETWORK_UNSTABLE or "unknown (1399)"'),
  ended_by: text('who ended the call', { enum: [...ENDED_BY_VALUES] }),
  min_duration: { type: 'integer', minimum: 0, description: 'least duration in seconds' },
  max_duration: { type: 'integer', minimum: 0, description: 'most duration in seconds' },
};

/** `bucket` on every time series endpoint (1-to-1, group, lifecycle). */
export const BUCKET_PARAMETER: Schema = { type: 'string', enum: [...BUCKETS], default: 'hour', description: 'bucket size' };

/** `tz` where it sets the buckets (timeseries). */
export const TZ_PARAMETER = text('IANA time zone for buckets and ISO times, e.g. Asia/Tokyo', { default: 'UTC' });

/** `tz` where there are no buckets (summary, breakdown): checked, without effect. */
export const UNBUCKETED_TZ_PARAMETER = text(
  'accepted and checked (an IANA time zone, else 400) but without effect: there are no buckets, and times are answered as Unix seconds',
);

/** `exact` on every statistics endpoint. */
export const EXACT_PARAMETER: Schema = {
  type: 'boolean',
  default: false,
  description: 'true: answer from a scan of the calls even when the rollups could answer (exact percentiles and peak concurrency; slower). Only the words true or false.',
};
