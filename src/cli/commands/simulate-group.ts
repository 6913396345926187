import type { Command } from 'commander';
import { plural } from '../../domain/plural.js';
import { formatSummaryTable } from '../../simulate/format-run-report.js';
import { progressOnStderr } from './progress-on-stderr.js';
import { reportRunProblems, type SendFlags, writeTruthFile } from './simulate-run-end.js';
import { groupGroundTruth, groupGroundTruthLines } from '../../simulate/group/group-ground-truth.js';
import { DEFAULT_GROUP_TRAFFIC, type GroupTrafficOptions, MAX_GROUP_ROOMS } from '../../simulate/group/group-traffic-options.js';
import { type GroupPlan, planGroupTraffic } from '../../simulate/group/plan-group-traffic.js';
import { answersByStatus, type GroupRunResult, runGroupSimulation } from '../../simulate/group/run-group-simulation.js';
import { type SettableFate, stayFatesWith } from '../../simulate/group/stay-fates.js';
import { createHttpTransport } from '../../simulate/http-transport.js';
import { parseDurationMs, parseDurationMsOrZero, parseShare, parseWholeNumber } from '../../simulate/parse-cli-values.js';
import { assertCallevtAnswers, callbackUrlOf, type ServerTarget } from '../server-target.js';

/** The group options as commander gives them (no defaults there: giving one without --group is an error). */
export interface GroupCliOptions {
  group?: boolean;
  rooms?: string;
  maxParticipants?: string;
  neverEndsShare?: string;
  rejoinShare?: string;
  refusedShare?: string;
  kickShare?: string;
  timeoutShare?: string;
  reorderWindow?: string;
  groupEndDeadline?: string;
}

const GROUP_ONLY = [
  ['rooms', '--rooms'], ['maxParticipants', '--max-participants'], ['neverEndsShare', '--never-ends-share'], ['rejoinShare', '--rejoin-share'],
  ['refusedShare', '--refused-share'], ['kickShare', '--kick-share'], ['timeoutShare', '--timeout-share'],
  ['reorderWindow', '--reorder-window'], ['groupEndDeadline', '--group-end-deadline'],
] as const;

/** Options of `simulate` that shape 1-to-1 calls only: refused with --group rather than silently ignored. */
const ONE_TO_ONE_ONLY = [
  ['calls', '--calls'], ['duration', '--duration'], ['users', '--users'], ['services', '--services'], ['malformedShare', '--malformed-share'],
  ['conflictShare', '--conflict-share'], ['lateShare', '--late-share'], ['videoShare', '--video-share'], ['lifecycle', '--lifecycle'],
] as const;

/** Adds the group-call options to `callevt simulate`. */
export function addGroupOptions(command: Command): Command {
  const d = DEFAULT_GROUP_TRAFFIC;
  return command
    .option('--group', 'send Group Call Events of simulated rooms to /callbacks/group-call-event instead of 1-to-1 calls')
    .option('--rooms <N>', `(--group) rooms to simulate (default ${d.rooms})`)
    .option('--max-participants <N>', `(--group) most participants of a room, host included (default ${d.room.maxParticipants})`)
    .option('--never-ends-share <x>', `(--group) share of rooms whose end (sc=E) never comes (default ${d.room.neverEndsShare})`)
    .option('--rejoin-share <x>', `(--group) share of guests who come back after leaving (default ${d.room.rejoinShare})`)
    .option('--refused-share <x>', '(--group) share of guest stays refused at join (ROOM_IS_FULL, ROOM_NOT_FOUND …) (default: the generator’s mix)')
    .option('--kick-share <x>', '(--group) share of guest stays kicked out by the app server (default: the generator’s mix)')
    .option('--timeout-share <x>', '(--group) share of guest stays timed out by LINE Planet (default: the generator’s mix)')
    .option('--reorder-window <time>', `(--group) each event leaves up to this long after it happened, so nearby events arrive swapped (default ${d.reorderWindowMs / 1000}s; 0 keeps time order)`)
    .option('--group-end-deadline <time>', `(--group) the server's GROUP_END_DEADLINE, for the truth's end_due_at (default ${d.endDeadlineMs / 3_600_000}h)`);
}

/** The simulate options a group run shares with 1-to-1 runs, already read. */
export interface SharedRunOptions {
  seed: string;
  epoch: number;
  spanSec: number;
  duplicateShare: number;
  legacyShare: number;
}

/**
 * The group traffic of a run (null without --group). `given(name)` says whether an
 * option was given on the command line, since some of simulate's options have defaults.
 */
export function readGroupOptions(o: GroupCliOptions, shared: SharedRunOptions, given: (name: string) => boolean): GroupTrafficOptions | null {
  if (!o.group) {
    const named = GROUP_ONLY.filter(([key]) => o[key] !== undefined).map(([, flag]) => flag);
    if (named.length > 0) throw new Error(`${named.join(', ')} ${named.length === 1 ? 'needs' : 'need'} --group`);
    return null;
  }
  const oneToOne = ONE_TO_ONE_ONLY.filter(([key]) => given(key)).map(([, flag]) => flag);
  if (oneToOne.length > 0) throw new Error(`${oneToOne.join(', ')} ${oneToOne.length === 1 ? 'shapes' : 'shape'} 1-to-1 calls only: not with --group`);
  const d = DEFAULT_GROUP_TRAFFIC;
  const share = (text: string | undefined, flag: string, fallback: number) => (text === undefined ? fallback : parseShare(text, flag));
  const fateShares: Partial<Record<SettableFate, number>> = {};
  if (o.refusedShare !== undefined) fateShares.failed_to_join = parseShare(o.refusedShare, '--refused-share');
  if (o.kickShare !== undefined) fateShares.kicked = parseShare(o.kickShare, '--kick-share');
  if (o.timeoutShare !== undefined) fateShares.timed_out = parseShare(o.timeoutShare, '--timeout-share');
  return {
    ...shared,
    rooms: o.rooms === undefined ? d.rooms : parseWholeNumber(o.rooms, '--rooms', 1, MAX_GROUP_ROOMS),
    room: {
      maxParticipants: o.maxParticipants === undefined ? d.room.maxParticipants : parseWholeNumber(o.maxParticipants, '--max-participants', 2, 1_000),
      neverEndsShare: share(o.neverEndsShare, '--never-ends-share', d.room.neverEndsShare),
      rejoinShare: share(o.rejoinShare, '--rejoin-share', d.room.rejoinShare),
      ...(Object.keys(fateShares).length === 0 ? {} : { fates: stayFatesWith(fateShares) }),
    },
    reorderWindowMs: o.reorderWindow === undefined ? d.reorderWindowMs : parseDurationMsOrZero(o.reorderWindow, '--reorder-window'),
    endDeadlineMs: o.groupEndDeadline === undefined ? d.endDeadlineMs : parseDurationMs(o.groupEndDeadline, '--group-end-deadline'),
  };
}

/** How a group run sends, read by simulate like for 1-to-1 calls. */
export interface GroupSendOptions extends SendFlags {
  server: ServerTarget;
  secret: string | null;
  progress: boolean;
  expect: string | undefined;
}

/** Plans and sends a group run, prints its report, writes its truth; sets the exit code like a 1-to-1 run. */
export async function simulateGroup(traffic: GroupTrafficOptions, o: GroupSendOptions): Promise<void> {
  await assertCallevtAnswers(o.server.url);
  const plan = planGroupTraffic(traffic);
  const shown = o.secret === null ? callbackUrlOf(o.server.url, null, 'group-call-event') : `${o.server.url}/callbacks/[secret]/group-call-event`;
  process.stderr.write(
    `simulate: seed ${traffic.seed}, epoch ${traffic.epoch}, ${plural(plan.rooms.length, 'room')} in ${plural(plan.deliveries.length, 'request')}` +
      `${o.ratePerSec === null ? ', as fast as possible' : `, ${o.ratePerSec}/s`} → ${shown}\n`,
  );
  const transport = createHttpTransport(callbackUrlOf(o.server.url, o.secret, 'group-call-event'), { concurrency: o.concurrency });
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const reporter = progressOnStderr();
  try {
    const result = await runGroupSimulation(plan, transport.send, {
      concurrency: o.concurrency,
      ratePerSec: o.ratePerSec,
      retries: o.retries,
      signal: abort.signal,
      ...(o.progress ? { onProgress: reporter.onProgress } : {}),
    });
    if (o.progress) reporter.end();
    process.stdout.write(formatSummaryTable(result.stats, result.elapsedMs));
    process.stdout.write(formatGroupSummary(plan, result));
    if (o.expect !== undefined) {
      const truth = groupGroundTruth(traffic, plan, result, Date.now());
      writeTruthFile(o.expect, groupGroundTruthLines(truth));
      process.stdout.write(`  ground truth  ${o.expect}: ${plural(truth.totals.rooms, 'room')}, ${plural(truth.totals.events, 'event')}, ${truth.totals.unacknowledged_events} unacknowledged\n`);
    }
    reportRunProblems(result.stats, o.server.url, 'group-call-event');
  } finally {
    process.off('SIGINT', onSigint);
    transport.close();
  }
}

/** The group lines of the run report: what was planned and sent, and the requests by answer status. */
export function formatGroupSummary(plan: GroupPlan, result: Pick<GroupRunResult, 'statuses'>): string {
  const sent = plan.deliveries.filter((_, i) => result.statuses[i] !== undefined);
  const answers = Object.entries(answersByStatus(result.statuses)).sort(([a], [b]) => (a < b ? -1 : 1));
  return (
    `  group         ${plural(plan.rooms.length, 'room')} (${plan.rooms.filter((r) => !r.ended).length} never end), ` +
    `${plural(plan.rooms.reduce((n, r) => n + r.events.length, 0), 'event')}; ${plural(sent.length, 'request')} sent ` +
    `(${plural(sent.filter((d) => d.role === 'duplicate').length, 'duplicate')}, ${sent.filter((d) => d.shape === 'legacy').length} in the 2020 shape)\n` +
    `  by status     ${answers.length === 0 ? '-' : answers.map(([status, n]) => `${status} ${n}`).join('  ')}\n`
  );
}
