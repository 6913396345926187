import type { FastifyInstance } from 'fastify';
import { CALL_FILTER_PARAMETERS, type FilterQuery, parseTime } from '../../domain/parse-call-filter.js';
import { pointOfTotals, summaryOfTotals } from '../../domain/stats/lifecycle/lifecycle-figures.js';
import { type Bucket, BUCKETS, bucketBoundaries, isoWithOffset, isValidTimeZone, MAX_BUCKETS } from '../../domain/stats/time-buckets.js';
import type { ErrorDetail } from '../../errors/app-error.js';
import type { CallStore } from '../../storage/port.js';
import { LIFECYCLE_SUMMARY_SCHEMA, LIFECYCLE_TIMESERIES_SCHEMA } from './lifecycle-stats-schemas.js';
import { BAD_TZ, fail, timing } from './stats-routes.js';

/** The window when from/to are not given, in seconds; `to` defaults to the end of the current quarter-hour. */
export const DEFAULT_LIFECYCLE_WINDOW_SEC = 86_400;
const QUARTER_HOUR_SEC = 900;

type Query = { Querystring: FilterQuery };

/**
 * Call lifecycle statistics (docs/spec/outcomes.md §3): `GET /api/stats/lifecycle` and
 * `/api/stats/lifecycle/timeseries`, from the lifecycle rollups.
 */
export async function lifecycleStatsRoutes(app: FastifyInstance, options: { store: CallStore; now: () => number }): Promise<void> {
  const { store, now } = options;

  app.get<Query>('/api/stats/lifecycle', { schema: LIFECYCLE_SUMMARY_SCHEMA }, async (request, reply) => {
    const problems: ErrorDetail[] = [];
    const window = readWindow(request.query, now(), problems);
    const tz = one(request.query, 'tz', problems);
    if (tz !== undefined && !isValidTimeZone(tz)) problems.push(BAD_TZ);
    fail(problems);
    const started = performance.now();
    const [totals] = await store.lifecycleTotals({ ...window, boundaries: [window.from, window.to] });
    timing(reply, started, 'rollups');
    return { from: iso(window.from), to: iso(window.to), ...summaryOfTotals(totals ?? new Map()) };
  });

  app.get<Query>('/api/stats/lifecycle/timeseries', { schema: LIFECYCLE_TIMESERIES_SCHEMA }, async (request, reply) => {
    const problems: ErrorDetail[] = [];
    const window = readWindow(request.query, now(), problems);
    const tz = one(request.query, 'tz', problems) ?? 'UTC';
    if (!isValidTimeZone(tz)) problems.push(BAD_TZ);
    const rawBucket = one(request.query, 'bucket', problems) ?? 'hour';
    if (!(BUCKETS as readonly string[]).includes(rawBucket)) problems.push({ field: 'bucket', problem: `must be one of ${BUCKETS.join(', ')}` });
    fail(problems);
    const bucket = rawBucket as Bucket;
    const boundaries = bucketBoundaries(window.from, window.to, bucket, tz);
    if (boundaries === null) fail([{ field: 'bucket', problem: `gives more than ${MAX_BUCKETS} buckets for this window: use a larger bucket or a shorter window` }]);
    const bounds = boundaries ?? [];
    const started = performance.now();
    const totals = await store.lifecycleTotals({ ...window, boundaries: bounds, pointsOnly: true });
    timing(reply, started, 'rollups');
    return {
      from: iso(window.from),
      to: iso(window.to),
      bucket,
      tz,
      points: totals.map((t, i) => ({ start: isoWithOffset(bounds[i] as number, tz), ...pointOfTotals(t) })),
    };
  });
}

/** from/to as Unix seconds, defaulted and checked; every problem collected. */
function readWindow(query: FilterQuery, nowMs: number, problems: ErrorDetail[]): { from: number; to: number } {
  // Listed from the query's own keys: only the parameters given are read.
  const callFilters: readonly string[] = CALL_FILTER_PARAMETERS;
  for (const name of Object.keys(query)) {
    if (name !== 'from' && name !== 'to' && callFilters.includes(name)) {
      problems.push({ field: name, problem: 'is a filter of the call statistics, not of the lifecycle statistics' });
    }
  }
  const parsed: { from?: number; to?: number } = {};
  for (const field of ['from', 'to'] as const) {
    const raw = one(query, field, problems);
    if (raw === undefined) continue;
    const seconds = parseTime(raw, nowMs);
    if (typeof seconds === 'string') problems.push({ field, problem: seconds });
    else parsed[field] = seconds;
  }
  const to = parsed.to ?? Math.ceil(nowMs / 1000 / QUARTER_HOUR_SEC) * QUARTER_HOUR_SEC;
  const from = parsed.from ?? to - DEFAULT_LIFECYCLE_WINDOW_SEC;
  if (to <= from && !problems.some((p) => p.field === 'from' || p.field === 'to')) {
    problems.push(parsed.to === undefined
      ? { field: 'from', problem: 'must be earlier than to (from is inclusive, to exclusive)' }
      : { field: 'to', problem: 'must be later than from (from is inclusive, to exclusive)' });
  }
  return { from, to };
}

/** One value of a parameter; a repeated one is a problem. */
function one(query: FilterQuery, name: string, problems: ErrorDetail[]): string | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw === 'string') return raw;
  problems.push({ field: name, problem: 'must be given at most once' });
  return undefined;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
