import type { Command } from 'commander';
import type { ReasonCount } from '../../domain/group/group-figures.js';
import type { Answer } from '../../http/openapi/generated/api.js';
import type { TargetOptions } from '../server-target.js';
import { addSourceOptions } from './calls.js';
import { formatTable, sparkline } from './stats-format.js';
import { readStatsAnswer, statsEndpoint } from './stats.js';

export interface StatsGroupOptions extends TargetOptions {
  from?: string;
  to?: string;
  since?: string;
  bucket?: string;
  tz?: string;
  by?: string;
  limit?: string;
  filter?: string[];
  exact?: boolean;
  json?: boolean;
}

type GroupSummaryAnswer = Answer<'getGroupStatsSummary'>;
type GroupSeriesAnswer = Answer<'getGroupStatsTimeseries'>;
type GroupBreakdownAnswer = Answer<'getGroupStatsBreakdown'>;

/** `callevt stats group`: group call figures (docs/spec/group-calls.md §4) as a summary, a time series or a breakdown. */
export function registerStatsGroup(stats: Command): void {
  const command = stats
    .command('group')
    .description('group call statistics: sessions, participant-minutes, participants, join failures and drops by reason, stay durations')
    .option('--from <time>', 'window start (inclusive): ISO-8601 with a zone or Unix milliseconds')
    .option('--to <time>', 'window end (exclusive)')
    .option('--since <duration>', 'window of the last N s|m|h|d|w, e.g. 24h (instead of --from)')
    .option('--bucket <size>', 'time series by minute|hour|day|week')
    .option('--tz <zone>', 'IANA time zone for buckets, e.g. Asia/Kolkata (default UTC)')
    .option('--by <field>', 'breakdown by media_type|ue_type|room|host')
    .option('--limit <N>', 'breakdown: most values shown (default 20)')
    .option('--filter <key=value>', 'any group call filter, e.g. svc_id=my-service, media_type=video or stay_status=dropped (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--exact', 'scan the sessions instead of the rollups')
    .option('--json', 'print the API answer as JSON');
  // The flags it shares with `callevt stats` are parsed by that parent command wherever they stand.
  addSourceOptions(command).action(async (_options: StatsGroupOptions, self: Command) => {
    process.stdout.write(await runStatsGroup(self.optsWithGlobals<StatsGroupOptions>()));
  });
}

/** The API path and query string `callevt stats group` asks for; `now` (Unix ms) anchors --since. */
export function groupStatsRequest(options: StatsGroupOptions, now: number = Date.now()): { path: string; query: string } {
  const q = new URLSearchParams();
  if (options.since !== undefined) {
    if (options.from !== undefined) throw new Error('give --since or --from, not both');
    const match = /^(\d+)([smhdw])$/.exec(options.since);
    if (match === null) throw new Error('--since must look like 30m, 24h or 7d');
    const unitMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    q.set('from', String(now - Number(match[1]) * unitMs));
  }
  if (options.from !== undefined) q.set('from', options.from);
  return statsEndpoint(q, options, { summary: '/api/stats/group', timeseries: '/api/stats/group/timeseries', breakdown: '/api/stats/group/breakdown' });
}

/** The text `callevt stats group` prints. */
export async function runStatsGroup(options: StatsGroupOptions, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { path, query } = groupStatsRequest(options);
  const body = await readStatsAnswer(options, path, query, env);
  if (options.json === true) return `${JSON.stringify(body, null, 2)}\n`;
  if (path.endsWith('/timeseries')) return `${formatGroupSeries(body as GroupSeriesAnswer)}\n`;
  if (path.endsWith('/breakdown')) return `${formatGroupBreakdown(body as GroupBreakdownAnswer)}\n`;
  return `${formatGroupSummary(body as GroupSummaryAnswer)}\n`;
}

const count = (n: number) => n.toLocaleString('en-US');
const percent = (r: number | null) => (r === null ? '–' : `${(r * 100).toFixed(1)}%`);
const decimal = (v: number | null) => (v === null ? '–' : v.toLocaleString('en-US', { maximumFractionDigits: 1 }));
const seconds = (v: number | null) => (v === null ? '–' : `${count(v)} s`);

/** A group summary as a two-column table, then the join failures and drops by reason. */
export function formatGroupSummary(a: GroupSummaryAnswer): string {
  const f = a.summary;
  const rows: Array<[string, string]> = [
    ['sessions', count(f.sessions)],
    ['  ended / end missing', `${count(f.sessions_ended)} / ${count(f.sessions_end_missing)}`],
    ['participant stays', count(f.stays)],
    ['  joined', count(f.joined_stays)],
    ['  completed', count(f.completed)],
    ['  dropped', count(f.dropped)],
    ['  timed out', count(f.timed_out)],
    ['  kicked', count(f.kicked)],
    ['  replaced', count(f.replaced)],
    ['  failed to join', count(f.failed_to_join)],
    ['  in room', count(f.in_room)],
    ['participant-minutes', decimal(f.participant_minutes)],
    ['average participants', decimal(f.avg_participants)],
    ['peak participants', count(f.peak_participants)],
    ['join failure rate', percent(f.join_failure_rate)],
    ['drop rate', percent(f.drop_rate)],
    ['stay duration p50 / p90 / p99', `${seconds(f.stay_duration_p50_sec)} / ${seconds(f.stay_duration_p90_sec)} / ${seconds(f.stay_duration_p99_sec)}`],
    ['session duration p50 / p90', `${seconds(f.session_duration_p50_sec)} / ${seconds(f.session_duration_p90_sec)}`],
  ];
  const end = (ms: number | null, open: string) => (ms === null ? open : new Date(ms).toISOString());
  const parts = [`sessions started from ${end(a.from, 'the first')} to ${end(a.to, 'now')}`, formatTable(['figure', 'value'], rows)];
  if (f.join_failures_by_reason.length > 0) parts.push(formatTable(['join failure reason', 'stays'], reasonRows(f.join_failures_by_reason)));
  if (f.drops_by_reason.length > 0) parts.push(formatTable(['drop reason', 'stays'], reasonRows(f.drops_by_reason)));
  return parts.join('\n\n');
}

function reasonRows(reasons: readonly ReasonCount[]): string[][] {
  return reasons.map((r) => [r.reason ?? '(none)', count(r.count)]);
}

/** A group time series as a table of the main figures, with a sparkline of sessions. */
export function formatGroupSeries(a: GroupSeriesAnswer): string {
  const table = formatTable(
    ['bucket', 'sessions', 'stays', 'participant-min', 'avg participants', 'peak', 'join failures', 'drop rate'],
    a.items.map((i) => [i.bucket_start_iso, count(i.sessions), count(i.stays), decimal(i.participant_minutes), decimal(i.avg_participants), count(i.peak_participants), count(i.failed_to_join), percent(i.drop_rate)]),
  );
  return `${table}\n\nsessions  ${sparkline(a.items.map((i) => i.sessions))}`;
}

/** A group breakdown as a table, largest first. */
export function formatGroupBreakdown(a: GroupBreakdownAnswer): string {
  return formatTable(
    [a.by, 'sessions', 'stays', 'participant-min', 'join failure rate', 'drop rate', 'stay p50'],
    a.items.map((i) => [i.value ?? '–', count(i.sessions), count(i.stays), decimal(i.participant_minutes), percent(i.join_failure_rate), percent(i.drop_rate), seconds(i.stay_duration_p50_sec)]),
  );
}
