import type { Command } from 'commander';
import type { Answer } from '../../http/openapi/generated/api.js';
import type { TargetOptions } from '../server-target.js';
import { addSourceOptions } from './calls.js';
import { formatTable, sparkline } from './stats-format.js';
import { readStatsAnswer } from './stats.js';

export interface StatsLifecycleOptions extends TargetOptions {
  from?: string;
  to?: string;
  bucket?: string;
  tz?: string;
  json?: boolean;
}

type LifecycleAnswer = Answer<'getLifecycleStats'>;
type LifecycleSeries = Answer<'getLifecycleTimeseries'>;

/** `callevt stats lifecycle`: Notify, relay, end coverage, push failures and Agent Call Status (docs/spec/outcomes.md §3). */
export function registerStatsLifecycle(stats: Command): void {
  const command = stats
    .command('lifecycle')
    .description('call lifecycle statistics: notifies, end coverage, end missing, relay, push failures, Agent Call Status')
    .option('--from <time>', 'window start: Unix seconds, ISO-8601 or relative like -7d (inclusive; default 24 hours before --to)')
    .option('--to <time>', 'window end (exclusive; default the end of the current quarter-hour)')
    .option('--bucket <size>', 'time series by minute|hour|day|week')
    .option('--tz <zone>', 'IANA time zone for buckets, e.g. Asia/Tokyo (default UTC)')
    .option('--json', 'print the API answer as JSON');
  // The flags it shares with `callevt stats` are parsed by that parent command wherever they stand.
  addSourceOptions(command).action(async (_options: StatsLifecycleOptions, self: Command) => {
    process.stdout.write(await runStatsLifecycle(self.optsWithGlobals<StatsLifecycleOptions>()));
  });
}

/** The text `callevt stats lifecycle` prints. */
export async function runStatsLifecycle(options: StatsLifecycleOptions, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const q = new URLSearchParams();
  if (options.from !== undefined) q.set('from', options.from);
  if (options.to !== undefined) q.set('to', options.to);
  if (options.tz !== undefined) q.set('tz', options.tz);
  if (options.bucket !== undefined) q.set('bucket', options.bucket);
  const path = options.bucket === undefined ? '/api/stats/lifecycle' : '/api/stats/lifecycle/timeseries';
  const body = await readStatsAnswer(options, path, q.toString(), env);
  if (options.json === true) return `${JSON.stringify(body, null, 2)}\n`;
  return `${options.bucket === undefined ? formatLifecycle(body as LifecycleAnswer) : formatLifecycleSeries(body as LifecycleSeries)}\n`;
}

const count = (n: number) => n.toLocaleString('en-US');
const percent = (r: number | null) => (r === null ? '–' : `${(r * 100).toFixed(1)}%`);
const ms = (v: number | null) => (v === null ? '–' : `${count(v)} ms`);

/** A lifecycle summary as a two-column table, then the fail reasons. */
export function formatLifecycle(a: LifecycleAnswer): string {
  const rows: Array<[string, string]> = [
    ['notifies', count(a.notifies)],
    ['notifies with end', count(a.notifiesWithEnd)],
    ['end coverage', percent(a.endCoverage)],
    ['end missing', count(a.endMissing)],
    ['ends without notify', count(a.endsWithoutNotify)],
    ['relay attempts', count(a.relay.attempts)],
    ['relay ok / http error / timeout / unreachable', `${count(a.relay.ok)} / ${count(a.relay.httpError)} / ${count(a.relay.timeout)} / ${count(a.relay.unreachable)}`],
    ['relay success', percent(a.relay.successRatio)],
    ['relay latency p50 / p99', `${ms(a.relay.latencyMs.p50)} / ${ms(a.relay.latencyMs.p99)}`],
    ['setup to notify p50 / p99', `${ms(a.setupToNotifyMs.p50)} / ${ms(a.setupToNotifyMs.p99)}`],
    ['push failures', count(a.pushFailures.total)],
    ['  notify not received', count(a.pushFailures.notifyNotReceived)],
    ['  push handler', count(a.pushFailures.pushHandler)],
    ['  other', count(a.pushFailures.other)],
    ['agent call success / fail', `${count(a.agentCallStatus.success)} / ${count(a.agentCallStatus.fail)}`],
  ];
  const table = `window ${a.from} .. ${a.to}\n\n${formatTable(['figure', 'value'], rows)}`;
  if (a.agentCallStatus.byFailReason.length === 0) return table;
  const reasons = formatTable(['fail reason', 'count'], a.agentCallStatus.byFailReason.map((r) => [r.failReason ?? '(none)', count(r.count)]));
  return `${table}\n\n${reasons}`;
}

const SERIES_COLUMNS = ['notifies', 'notifiesWithEnd', 'endMissing', 'relayAttempts', 'relayOk', 'pushFailures', 'agentCallSuccess', 'agentCallFail'] as const;

/** A lifecycle time series as a table, with a sparkline of notifies. */
export function formatLifecycleSeries(a: LifecycleSeries): string {
  const table = formatTable(['bucket', ...SERIES_COLUMNS], a.points.map((p) => [p.start, ...SERIES_COLUMNS.map((k) => count(p[k]))]));
  return `${table}\n\nnotifies  ${sparkline(a.points.map((p) => p.notifies))}`;
}
