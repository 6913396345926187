import type { FastifyInstance } from 'fastify';
import type { CallType } from '../../domain/call-event.js';
import {
  GROUP_BREAKDOWN_FIELDS,
  GROUP_MEDIA_TYPES,
  type GroupBreakdownField,
  type GroupStatsFilter,
  groupBucketBoundaries,
} from '../../domain/group/group-stats-query.js';
import { type GroupFilterQuery, parseGroupCallFilter } from '../../domain/group/parse-group-call-filter.js';
import { DEFAULT_BREAKDOWN_LIMIT } from '../../domain/stats/stats-query.js';
import { isoWithOffset, isValidTimeZone, MAX_BUCKETS } from '../../domain/stats/time-buckets.js';
import type { ErrorDetail } from '../../errors/app-error.js';
import type { CallStore } from '../../storage/port.js';
import { GROUP_BREAKDOWN_SCHEMA, GROUP_SUMMARY_SCHEMA, GROUP_TIMESERIES_SCHEMA } from './group-stats-schemas.js';
import { BAD_TZ, fail, readParams, timing } from './stats-routes.js';

/** The window a group time series covers when from/to are not given, in milliseconds (as /api/stats/timeseries). */
const DEFAULT_WINDOW_MS = 86_400_000;
const HOUR_MS = 3_600_000;

type Query = { Querystring: GroupFilterQuery };

/**
 * Group call statistics (docs/statistics.md, "Group figures"): `GET /api/stats/group`,
 * `/api/stats/group/timeseries` and `/api/stats/group/breakdown`, all taking the group call
 * list's filters and `media_type`; end_missing is read with GROUP_END_DEADLINE (`deadlineMs`)
 * at the time of the request. Each answer says where it came from in `Server-Timing`.
 */
export async function groupStatsRoutes(app: FastifyInstance, options: { store: CallStore; now: () => number; deadlineMs: number }): Promise<void> {
  const { store, now, deadlineMs } = options;

  app.get<Query>('/api/stats/group', { schema: GROUP_SUMMARY_SCHEMA }, async (request, reply) => {
    const params = readParams(request.query, ['tz', 'exact']);
    const filter = readGroupStatsFilter(request.query, params.problems);
    if (params.tz !== undefined && !isValidTimeZone(params.tz)) params.problems.push(BAD_TZ);
    fail(params.problems);
    const started = performance.now();
    const answer = await store.groupStatsSummary({ filter, clock: { now: now(), deadlineMs }, exact: params.exact });
    timing(reply, started, answer.source);
    return { from: filter.from ?? null, to: filter.to ?? null, summary: answer.summary };
  });

  app.get<Query>('/api/stats/group/timeseries', { schema: GROUP_TIMESERIES_SCHEMA }, async (request, reply) => {
    const params = readParams(request.query, ['tz', 'exact', 'bucket']);
    const filter = readGroupStatsFilter(request.query, params.problems);
    const tz = params.tz ?? 'UTC';
    if (!isValidTimeZone(tz)) params.problems.push(BAD_TZ);
    fail(params.problems);
    const nowMs = now();
    const to = filter.to ?? Math.ceil(nowMs / HOUR_MS) * HOUR_MS;
    const from = filter.from ?? to - DEFAULT_WINDOW_MS;
    if (to <= from) fail([{ field: 'from', problem: 'must be earlier than to' }]);
    const bucket = params.bucket ?? 'hour';
    const boundaries = groupBucketBoundaries(from, to, bucket, tz);
    if (boundaries === null) fail([{ field: 'bucket', problem: `gives more than ${MAX_BUCKETS} buckets for this window: use a larger bucket or a shorter window` }]);
    const started = performance.now();
    const answer = await store.groupStatsTimeseries({ filter: { ...filter, from, to }, clock: { now: nowMs, deadlineMs }, exact: params.exact, boundaries: boundaries ?? [] });
    timing(reply, started, answer.source);
    return {
      bucket,
      tz,
      items: answer.items.map(({ bucket_start, ...figures }) => ({ bucket_start, bucket_start_iso: isoWithOffset(bucket_start, tz), ...figures })),
    };
  });

  app.get<Query>('/api/stats/group/breakdown', { schema: GROUP_BREAKDOWN_SCHEMA }, async (request, reply) => {
    const params = readParams(request.query, ['tz', 'exact', 'limit']);
    const filter = readGroupStatsFilter(request.query, params.problems);
    if (params.tz !== undefined && !isValidTimeZone(params.tz)) params.problems.push(BAD_TZ);
    const by = readOne(request.query, 'by', GROUP_BREAKDOWN_FIELDS, params.problems);
    if (by === undefined && !params.problems.some((p) => p.field === 'by')) {
      params.problems.push({ field: 'by', problem: `is required: one of ${GROUP_BREAKDOWN_FIELDS.join(', ')}` });
    }
    fail(params.problems);
    const started = performance.now();
    const answer = await store.groupStatsBreakdown({
      filter,
      clock: { now: now(), deadlineMs },
      exact: params.exact,
      by: by as GroupBreakdownField,
      limit: params.limit ?? DEFAULT_BREAKDOWN_LIMIT,
    });
    timing(reply, started, answer.source);
    return { by, items: answer.items };
  });
}

/** The group call list's filters (parseGroupCallFilter) and media_type, every problem collected. */
function readGroupStatsFilter(query: GroupFilterQuery, problems: ErrorDetail[]): GroupStatsFilter {
  const parsed = parseGroupCallFilter(query);
  const mediaType = readOne(query, 'media_type', GROUP_MEDIA_TYPES, problems);
  if (!parsed.ok) {
    problems.unshift(...parsed.problems);
    return {};
  }
  return mediaType === undefined ? parsed.filter : { ...parsed.filter, media_type: mediaType as CallType };
}

/** One parameter from a list of values, given at most once; undefined when absent or refused (the problem is added). */
function readOne<T extends string>(query: GroupFilterQuery, field: string, values: readonly T[], problems: ErrorDetail[]): T | undefined {
  const raw = query[field];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') {
    problems.push({ field, problem: 'must be given at most once' });
    return undefined;
  }
  if ((values as readonly string[]).includes(raw)) return raw as T;
  problems.push({ field, problem: `must be one of ${values.join(', ')}` });
  return undefined;
}
