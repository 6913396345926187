import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { formatSummaryTable } from '../../simulate/format-run-report.js';
import { progressOnStderr } from './progress-on-stderr.js';
import { groundTruthLines } from '../../simulate/ground-truth.js';
import { createHttpTransport } from '../../simulate/http-transport.js';
import {
  parseDurationMs, parseEpoch, parseShare, parseWholeNumber,
} from '../../simulate/parse-cli-values.js';
import { runSimulation } from '../../simulate/run-simulation.js';
import { plural } from '../../domain/plural.js';
import { assertCallevtAnswers, callbackUrlOf, DEFAULT_SERVER_URL, resolveServer } from '../server-target.js';
import { DEFAULT_TRAFFIC, type TrafficOptions, trafficOptionProblems } from '../../simulate/traffic-options.js';
import { readSendFlags, reportRunProblems, writeTruthFile } from './simulate-run-end.js';
import { addGroupOptions, type GroupCliOptions, readGroupOptions, type SharedRunOptions, simulateGroup } from './simulate-group.js';
import {
  addLifecycleOptions, formatLifecycleSummary, type LifecycleCliOptions, type LifecyclePlan, readLifecycleOptions, startPlannedPushHandler,
} from './simulate-lifecycle.js';

/** How long a run lasts when neither --duration nor --calls is given. */
const DEFAULT_DURATION = '10s';

interface SimulateOptions extends LifecycleCliOptions, GroupCliOptions {
  url?: string;
  secret?: string;
  rate?: string;
  duration?: string;
  calls?: string;
  concurrency: string;
  seed?: string;
  epoch?: string;
  span: string;
  expect?: string;
  users: string;
  services?: string;
  retries: string;
  quiet?: boolean;
  malformedShare: string;
  duplicateShare: string;
  conflictShare: string;
  legacyShare: string;
  lateShare: string;
  videoShare: string;
}

/** `callevt simulate`: play LINE Planet, sending 1-to-1 Call Event callbacks to a callevt. */
export function registerSimulate(program: Command): void {
  const d = DEFAULT_TRAFFIC;
  const command = program
    .command('simulate')
    .description('send realistic LINE Planet 1-to-1 Call Event callbacks (GET) to a callevt server; with --group, Group Call Events of simulated rooms')
    .option('--url <url>', `callevt's base URL, like the reading commands (env CALLEVT_URL; default ${DEFAULT_SERVER_URL}); callbacks go to its /callbacks/call-event`)
    .option('--secret <secret>', "the server's CALLBACK_SECRET: callbacks go to /callbacks/<secret>/call-event (env CALLBACK_SECRET)")
    .option('--rate <R/s>', 'requests per second (default: as fast as the server answers)')
    .option('--duration <time>', `how long to send, e.g. 10s, 2m (default ${DEFAULT_DURATION} unless --calls)`)
    .option('--calls <N>', 'how many calls to plan (each a unique call or one malformed request)')
    .option('--concurrency <C>', 'requests in flight at once (keep-alive connections)', '32')
    .option('--seed <S>', 'seed of the traffic: the same seed and epoch give the same traffic (default: random, printed)')
    .option('--epoch <time>', 'Unix seconds or ISO-8601: calls end in the --span before it (default: now)')
    .option('--span <time>', 'window the calls end in', '1h')
    .option('--expect <file>', 'write the ground truth (NDJSON) for `callevt verify`')
    .option('--users <N>', 'users per service', String(d.users))
    .option('--services <list>', `comma-separated service ids (default ${d.services.join(',')})`)
    .option('--retries <N>', 'extra attempts for a delivery answered 5xx/429 or not at all', '3')
    .option('--malformed-share <x>', 'share of malformed requests', String(d.malformedShare))
    .option('--duplicate-share <x>', 'share of calls delivered twice', String(d.duplicateShare))
    .option('--conflict-share <x>', 'share of calls re-delivered with different content', String(d.conflictShare))
    .option('--legacy-share <x>', 'share of legacy-shaped callbacks (call_end_reason, releaser, stid)', String(d.legacyShare))
    .option('--late-share <x>', 'share of late deliveries (end_time hours to days old)', String(d.lateShare))
    .option('--video-share <x>', 'share of video calls', String(d.videoShare))
    .option('--quiet', 'no live progress line');
  addGroupOptions(addLifecycleOptions(command))
    .addHelpText(
      'after',
      '\nExamples:\n  callevt simulate --duration 10s --rate 500/s --seed demo --expect data/truth.ndjson\n' +
        '  NOTIFY_RELAY_URL=http://127.0.0.1:9301/notify NOTIFY_RELAY_TIMEOUT=1s callevt serve &\n' +
        '  callevt simulate --lifecycle --push-handler 9301 --push-stall 2s --calls 2000 --expect data/life.ndjson\n' +
        '  callevt simulate --group --rooms 500 --seed demo --expect data/group.ndjson\n',
    )
    .action(async (options: SimulateOptions, cmd: Command) => {
      const shared = readSharedOptions(options);
      const group = readGroupOptions(options, shared, (name) => cmd.getOptionValueSource(name) === 'cli');
      const progress = !options.quiet;
      const server = resolveServer(options);
      const secret = options.secret ?? (process.env.CALLBACK_SECRET?.trim() || null);
      if (group !== null) {
        // --lifecycle is refused with --group, so this refuses any lifecycle option given.
        readLifecycleOptions(options);
        await simulateGroup(group, {
          server, secret, progress, expect: options.expect,
          ...readSendFlags(options),
        });
        return;
      }
      const plan = readOptions(options, shared);
      await assertCallevtAnswers(server.url);
      const shown = (callback: 'call-event' | 'notify' | 'agent-call-status') =>
        secret === null ? callbackUrlOf(server.url, null, callback) : `${server.url}/callbacks/[secret]/${callback}`;
      const lifecycle = plan.lifecycle;
      process.stderr.write(
        `simulate: seed ${plan.traffic.seed}, epoch ${plan.traffic.epoch}, ${plan.limit} → ${shown('call-event')}` +
          `${lifecycle === null ? '' : `, ${shown('notify')}, ${shown('agent-call-status')}`}\n`,
      );
      const handler = lifecycle === null ? null : await startPlannedPushHandler(lifecycle, plan.traffic.seed);
      const transport = createHttpTransport(callbackUrlOf(server.url, secret), { concurrency: plan.concurrency });
      const notifyTransport = lifecycle === null ? null : createHttpTransport(callbackUrlOf(server.url, secret, 'notify'), { concurrency: plan.concurrency });
      const acsTransport = lifecycle === null ? null : createHttpTransport(callbackUrlOf(server.url, secret, 'agent-call-status'), { concurrency: plan.concurrency });
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.once('SIGINT', onSigint);
      const reporter = progressOnStderr();
      try {
        const result = await runSimulation(plan.traffic, transport.send, {
          concurrency: plan.concurrency,
          ratePerSec: plan.ratePerSec,
          maxItems: plan.maxItems,
          durationMs: plan.durationMs,
          retries: plan.retries,
          collectTruth: options.expect !== undefined,
          signal: abort.signal,
          ...(notifyTransport && acsTransport ? { lifecycleSend: { notify: notifyTransport.send, agentCallStatus: acsTransport.send } } : {}),
          ...(progress ? { onProgress: reporter.onProgress } : {}),
        });
        if (progress) reporter.end();
        process.stdout.write(formatSummaryTable(result.stats, result.elapsedMs));
        process.stdout.write(formatLifecycleSummary(result.truth?.totals ?? null, handler));
        if (handler !== null && handler.counts.take + handler.counts.refuse + handler.counts.stall === 0 && (result.truth?.totals.lifecycle?.notifies_sent ?? 1) > 0) {
          process.stderr.write(`callevt: the stand-in push handler got no Notify: is callevt running with NOTIFY_RELAY_URL=${handler.url}?\n`);
        }
        if (options.expect !== undefined && result.truth !== null) {
          writeTruthFile(options.expect, groundTruthLines(result.truth));
          const t = result.truth.totals;
          process.stdout.write(
            `  ground truth  ${options.expect}: ${plural(t.calls, 'call')}, ${t.malformed} malformed, ${plural(t.duplicates_sent, 'duplicate')}, ${plural(t.conflicts_sent, 'conflict')}\n`,
          );
        }
        reportRunProblems(result.stats, server.url, 'call-event');
      } finally {
        process.off('SIGINT', onSigint);
        transport.close();
        notifyTransport?.close();
        acsTransport?.close();
        await handler?.close();
      }
    });
}

interface RunPlan {
  traffic: TrafficOptions;
  lifecycle: LifecyclePlan | null;
  concurrency: number;
  ratePerSec: number | null;
  maxItems: number | null;
  durationMs: number | null;
  retries: number;
  limit: string;
}

/** The options that shape 1-to-1 and group runs alike. */
function readSharedOptions(o: SimulateOptions): SharedRunOptions {
  return {
    seed: o.seed ?? randomBytes(4).toString('hex'),
    epoch: o.epoch === undefined ? Math.floor(Date.now() / 1000) : parseEpoch(o.epoch, '--epoch'),
    spanSec: Math.max(1, Math.round(parseDurationMs(o.span, '--span') / 1000)),
    duplicateShare: parseShare(o.duplicateShare, '--duplicate-share'),
    legacyShare: parseShare(o.legacyShare, '--legacy-share'),
  };
}

function readOptions(o: SimulateOptions, shared: SharedRunOptions): RunPlan {
  const maxItems = o.calls === undefined ? null : parseWholeNumber(o.calls, '--calls', 1, 1e12);
  const durationText = o.duration ?? (maxItems === null ? DEFAULT_DURATION : undefined);
  const durationMs = durationText === undefined ? null : parseDurationMs(durationText, '--duration');
  const lifecycle = readLifecycleOptions(o);
  const traffic: TrafficOptions = {
    ...DEFAULT_TRAFFIC,
    ...shared,
    users: parseWholeNumber(o.users, '--users', 2, 100_000_000),
    services: o.services === undefined ? DEFAULT_TRAFFIC.services : o.services.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    malformedShare: parseShare(o.malformedShare, '--malformed-share'),
    conflictShare: parseShare(o.conflictShare, '--conflict-share'),
    lateShare: parseShare(o.lateShare, '--late-share'),
    videoShare: parseShare(o.videoShare, '--video-share'),
    lifecycle: lifecycle?.options ?? null,
  };
  const problems = trafficOptionProblems(traffic);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const limits = [maxItems === null ? null : plural(maxItems, 'call'), durationMs === null ? null : `${durationMs / 1000} s`];
  return {
    traffic,
    lifecycle,
    ...readSendFlags(o),
    maxItems,
    durationMs,
    limit: `${limits.filter((l) => l !== null).join(' or ')}${o.rate === undefined ? ', as fast as possible' : `, ${o.rate}`}`,
  };
}
