import type { FastifyInstance, FastifyReply } from 'fastify';
import type { CallFilter } from '../../domain/call-filter.js';
import { type FilterQuery, parseCallFilter } from '../../domain/parse-call-filter.js';
import { ROLLUP_SLOT_SEC } from '../../domain/stats/rollup-cells.js';
import {
  BREAKDOWN_FIELDS,
  type BreakdownField,
  DEFAULT_BREAKDOWN_LIMIT,
  MAX_BREAKDOWN_LIMIT,
  type StatsSource,
} from '../../domain/stats/stats-query.js';
import { type Bucket, BUCKETS, bucketBoundaries, isoWithOffset, isValidTimeZone, MAX_BUCKETS } from '../../domain/stats/time-buckets.js';
import { AppError, type ErrorDetail } from '../../errors/app-error.js';
import type { CallStore } from '../../storage/port.js';
import { BREAKDOWN_SCHEMA, SUMMARY_SCHEMA, TIMESERIES_SCHEMA } from './stats-route-schemas.js';

/** The window a time series covers when from/to are not given, in seconds. */
export const DEFAULT_TIMESERIES_WINDOW_SEC = 86_400;

type Query = { Querystring: FilterQuery };

/**
 * Call statistics: `GET /api/stats/summary`, `/timeseries` and `/breakdown`, all taking
 * the call list's filters. Each answer says where it came from and how long it took in
 * a `Server-Timing` header (`stats;dur=…;desc="rollups"` or `"calls"`).
 */
export async function statsRoutes(app: FastifyInstance, options: { store: CallStore; now: () => number }): Promise<void> {
  const { store, now } = options;

  app.get<Query>('/api/stats/summary', { schema: SUMMARY_SCHEMA }, async (request, reply) => {
    const params = readParams(request.query, ['tz', 'exact']);
    const filter = readFilter(request.query, now(), params.problems);
    checkUnbucketedTz(params);
    fail(params.problems);
    const started = performance.now();
    const answer = await store.statsSummary({ filter, exact: params.exact });
    timing(reply, started, answer.source);
    return { from: filter.from ?? null, to: filter.to ?? null, summary: answer.summary };
  });

  app.get<Query>('/api/stats/timeseries', { schema: TIMESERIES_SCHEMA }, async (request, reply) => {
    const params = readParams(request.query, ['tz', 'exact', 'bucket']);
    const filter = readFilter(request.query, now(), params.problems);
    const tz = params.tz ?? 'UTC';
    if (!isValidTimeZone(tz)) params.problems.push(BAD_TZ);
    fail(params.problems);
    const to = filter.to ?? Math.ceil(now() / 1000 / ROLLUP_SLOT_SEC) * ROLLUP_SLOT_SEC;
    const from = filter.from ?? to - DEFAULT_TIMESERIES_WINDOW_SEC;
    if (to <= from) fail([{ field: 'from', problem: 'must be earlier than to' }]);
    const bucket = params.bucket ?? 'hour';
    const boundaries = bucketBoundaries(from, to, bucket, tz);
    if (boundaries === null) fail([{ field: 'bucket', problem: `gives more than ${MAX_BUCKETS} buckets for this window: use a larger bucket or a shorter window` }]);
    const started = performance.now();
    const answer = await store.statsTimeseries({ filter: { ...filter, from, to }, exact: params.exact, bucket, tz, boundaries: boundaries ?? [] });
    timing(reply, started, answer.source);
    return {
      bucket,
      tz,
      items: answer.items.map(({ bucket_start, ...figures }) => ({ bucket_start, bucket_start_iso: isoWithOffset(bucket_start, tz), ...figures })),
    };
  });

  app.get<Query>('/api/stats/breakdown', { schema: BREAKDOWN_SCHEMA }, async (request, reply) => {
    const params = readParams(request.query, ['tz', 'exact', 'by', 'limit']);
    const filter = readFilter(request.query, now(), params.problems);
    checkUnbucketedTz(params);
    if (params.by === undefined && !params.problems.some((p) => p.field === 'by')) {
      params.problems.push({ field: 'by', problem: `is required: one of ${BREAKDOWN_FIELDS.join(', ')}` });
    }
    fail(params.problems);
    const by = params.by as BreakdownField;
    const started = performance.now();
    const answer = await store.statsBreakdown({ filter, exact: params.exact, by, limit: params.limit ?? DEFAULT_BREAKDOWN_LIMIT });
    timing(reply, started, answer.source);
    return { by, items: answer.items };
  });
}

interface StatsParams {
  tz?: string;
  exact: boolean;
  bucket?: Bucket;
  by?: BreakdownField;
  limit?: number;
  problems: ErrorDetail[];
}

/** Reads the statistics parameters that are not filters, collecting every problem. */
export function readParams(query: FilterQuery, names: ReadonlyArray<'tz' | 'exact' | 'bucket' | 'by' | 'limit'>): StatsParams {
  const out: StatsParams = { exact: false, problems: [] };
  const one = (name: string): string | undefined => {
    const raw = query[name];
    if (raw === undefined || raw === '') return undefined;
    if (typeof raw === 'string') return raw;
    out.problems.push({ field: name, problem: 'must be given at most once' });
    return undefined;
  };
  for (const name of names) {
    const raw = one(name);
    if (raw === undefined) continue;
    if (name === 'tz') out.tz = raw;
    if (name === 'exact') {
      if (raw === 'true' || raw === 'false') out.exact = raw === 'true';
      else out.problems.push({ field: 'exact', problem: 'must be true or false' });
    }
    if (name === 'bucket') {
      if ((BUCKETS as readonly string[]).includes(raw)) out.bucket = raw as Bucket;
      else out.problems.push({ field: 'bucket', problem: `must be one of ${BUCKETS.join(', ')}` });
    }
    if (name === 'by') {
      if ((BREAKDOWN_FIELDS as readonly string[]).includes(raw)) out.by = raw as BreakdownField;
      else out.problems.push({ field: 'by', problem: `must be one of ${BREAKDOWN_FIELDS.join(', ')}` });
    }
    if (name === 'limit') {
      const n = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
      if (n >= 1 && n <= MAX_BREAKDOWN_LIMIT) out.limit = n;
      else out.problems.push({ field: 'limit', problem: `must be a whole number from 1 to ${MAX_BREAKDOWN_LIMIT}` });
    }
  }
  return out;
}

function readFilter(query: FilterQuery, nowMs: number, problems: ErrorDetail[]): CallFilter {
  const parsed = parseCallFilter(query, nowMs);
  if (parsed.ok) return parsed.filter;
  problems.unshift(...parsed.problems);
  return { time_field: 'setup_time' };
}

/** Throws one 400 naming every problem's field, when there are any. */
export function fail(problems: readonly ErrorDetail[]): void {
  if (problems.length === 0) return;
  const fields = [...new Set(problems.map((p) => p.field))].join(', ');
  throw new AppError('invalid_parameter', `Invalid query parameter: ${fields}`, problems);
}

/** The Server-Timing header of a statistics answer: how long it took, and from what (group statistics: `rollups` or `sessions`). */
export function timing(reply: FastifyReply, started: number, source: StatsSource | 'sessions'): void {
  void reply.header('server-timing', `stats;dur=${(performance.now() - started).toFixed(1)};desc="${source}"`);
}

export const BAD_TZ = { field: 'tz', problem: 'must be an IANA time zone like Asia/Tokyo' };

/**
 * `tz` on an answer without buckets (summary, breakdown): accepted, so that clients can
 * send one set of parameters everywhere, and checked, but without effect.
 */
function checkUnbucketedTz(params: { tz?: string; problems: ErrorDetail[] }): void {
  if (params.tz !== undefined && !isValidTimeZone(params.tz)) params.problems.push(BAD_TZ);
}
