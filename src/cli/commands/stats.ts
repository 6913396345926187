import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { buildApp } from '../../http/build-app.js';
import type { Answer, Schema } from '../../http/openapi/generated/api.js';
import { openStore } from '../../storage/open-store.js';
import { requestApi } from '../api-client.js';
import { resolveReadTarget, type ServerTarget, type TargetOptions } from '../server-target.js';
import { addSourceOptions } from './calls.js';
import { formatBreakdown, formatSummary, formatTimeseries } from './stats-format.js';
import { registerStatsGroup } from './stats-group.js';
import { registerStatsLifecycle } from './stats-lifecycle.js';

export interface StatsCliOptions extends TargetOptions {
  from?: string;
  to?: string;
  since?: string;
  by?: string;
  bucket?: string;
  tz?: string;
  limit?: string;
  filter: string[];
  json?: boolean;
  exact?: boolean;
}

/** `callevt stats`: a summary, a time series (--bucket) or a breakdown (--by), from a server or a database. */
export function registerStats(program: Command): void {
  const command = program
    .command('stats')
    .description('call statistics: a summary, a time series (--bucket) or a breakdown (--by), as tables or JSON')
    .option('--from <time>', 'window start: Unix seconds, ISO-8601 or relative like -7d (inclusive)')
    .option('--to <time>', 'window end (exclusive)')
    .option('--since <duration>', 'window of the last N s|m|h|d|w, e.g. 24h (instead of --from)')
    .option('--by <field>', 'breakdown by outcome|reason|terminate|ended_by|type|from_service_id|to_service_id|caller|callee')
    .option('--bucket <size>', 'time series by minute|hour|day|week')
    .option('--tz <zone>', 'IANA time zone for buckets, e.g. Asia/Tokyo (default UTC)')
    .option('--limit <N>', 'breakdown: most values shown (default 20)')
    .option('--filter <key=value>', 'any call filter, e.g. outcome=dropped or user=alice (repeatable)', collect, [])
    .option('--exact', 'scan the calls instead of the rollups')
    .option('--json', 'print the API answer as JSON');
  addSourceOptions(command).action(async (options: StatsCliOptions) => {
    process.stdout.write(await runStats(options));
  });
  registerStatsLifecycle(command);
  registerStatsGroup(command);
}

/** The text `callevt stats` prints, read from the server or database the flags (or CALLEVT_URL) name. */
export async function runStats(options: StatsCliOptions, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { path, query } = statsRequest(options);
  const body = await readStatsAnswer(options, path, query, env);
  return options.json === true ? `${JSON.stringify(body, null, 2)}\n` : `${render(path, body)}\n`;
}

/** An API answer from the server or database the flags (or CALLEVT_URL) name; an error answer throws with every detail. */
export async function readStatsAnswer(options: TargetOptions, path: string, query: string, env: NodeJS.ProcessEnv): Promise<unknown> {
  const target = resolveReadTarget(options, env);
  return target.kind === 'server' ? await fetchJson(target.server, path, query) : await injectJson(target.databaseUrl, path, query);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The API path and query string a set of CLI options asks for. */
export function statsRequest(options: StatsCliOptions): { path: string; query: string } {
  const q = new URLSearchParams();
  if (options.since !== undefined) {
    if (options.from !== undefined) throw new Error('give --since or --from, not both');
    if (!/^\d+[smhdw]$/.test(options.since)) throw new Error('--since must look like 30m, 24h or 7d');
    q.set('from', `-${options.since}`);
  }
  if (options.from !== undefined) q.set('from', options.from);
  return statsEndpoint(q, options, { summary: '/api/stats/summary', timeseries: '/api/stats/timeseries', breakdown: '/api/stats/breakdown' });
}

/** The options every statistics command reads the same way, whatever its endpoints. */
export interface StatsEndpointOptions {
  to?: string;
  tz?: string;
  exact?: boolean;
  filter?: string[];
  by?: string;
  bucket?: string;
  limit?: string;
}

/**
 * Adds `--to`, `--tz`, `--exact` and each `--filter key=value` to `q`, then picks the
 * endpoint of three that `--by` (a breakdown, with `--limit`) or `--bucket` (a time
 * series) asks for, else the summary.
 */
export function statsEndpoint(q: URLSearchParams, options: StatsEndpointOptions, paths: { summary: string; timeseries: string; breakdown: string }): { path: string; query: string } {
  if (options.to !== undefined) q.set('to', options.to);
  if (options.tz !== undefined) q.set('tz', options.tz);
  if (options.exact === true) q.set('exact', 'true');
  for (const f of options.filter ?? []) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new Error(`--filter ${f}: expected key=value`);
    q.append(f.slice(0, eq), f.slice(eq + 1));
  }
  if (options.by !== undefined && options.bucket !== undefined) throw new Error('give --by or --bucket, not both');
  if (options.by !== undefined) {
    q.set('by', options.by);
    if (options.limit !== undefined) q.set('limit', options.limit);
    return { path: paths.breakdown, query: q.toString() };
  }
  if (options.bucket !== undefined) {
    q.set('bucket', options.bucket);
    return { path: paths.timeseries, query: q.toString() };
  }
  return { path: paths.summary, query: q.toString() };
}

async function fetchJson(server: ServerTarget, path: string, query: string): Promise<unknown> {
  const params: Record<string, string[]> = {};
  for (const [key, value] of new URLSearchParams(query)) params[key] = [...(params[key] ?? []), value];
  const res = await requestApi(server, path, params);
  return answerOf(res.status, await res.json());
}

async function injectJson(databaseUrl: string, path: string, query: string): Promise<unknown> {
  const store = await openStore(databaseUrl);
  try {
    const { app } = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), store });
    try {
      const res = await app.inject({ url: `${path}?${query}` });
      return answerOf(res.statusCode, res.json());
    } finally {
      await app.close();
    }
  } finally {
    await store.close();
  }
}

function answerOf(status: number, body: unknown): unknown {
  if (status === 200) return body;
  const error = (body as Partial<Schema<'Error'>>).error;
  const details = (error?.details ?? []).map((d) => `\n  ${d.field}: ${d.problem}`).join('');
  throw new Error(`${error?.message ?? `HTTP ${status}`}${details}`);
}

function render(path: string, body: unknown): string {
  if (path.endsWith('/summary')) return formatSummary((body as Answer<'getStatsSummary'>).summary);
  if (path.endsWith('/timeseries')) return formatTimeseries((body as Answer<'getStatsTimeseries'>).items);
  const b = body as Answer<'getStatsBreakdown'>;
  return formatBreakdown(b.by, b.items);
}
