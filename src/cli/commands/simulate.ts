import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { formatProgressLine, formatSummaryTable } from '../../simulate/format-run-report.js';
import { groundTruthLines } from '../../simulate/ground-truth.js';
import { createHttpTransport } from '../../simulate/http-transport.js';
import {
  parseDurationMs, parseEpoch, parseRatePerSec, parseShare, parseWholeNumber,
} from '../../simulate/parse-cli-values.js';
import { runSimulation } from '../../simulate/run-simulation.js';
import { DEFAULT_TRAFFIC, type TrafficOptions, trafficOptionProblems } from '../../simulate/traffic-options.js';

/** Where `callevt serve` receives callbacks by default. */
export const DEFAULT_CALLBACK_URL = 'http://127.0.0.1:8080/callbacks/call-event';
/** How long a run lasts when neither --duration nor --calls is given. */
const DEFAULT_DURATION = '10s';

interface SimulateOptions {
  url: string;
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
  program
    .command('simulate')
    .description('send realistic LINE Planet 1-to-1 Call Event callbacks (GET) to a callevt server')
    .option('--url <url>', 'the callback URL', DEFAULT_CALLBACK_URL)
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
    .option('--quiet', 'no live progress line')
    .addHelpText('after', '\nExample:\n  callevt simulate --duration 10s --rate 500/s --seed demo --expect truth.ndjson\n')
    .action(async (options: SimulateOptions) => {
      const plan = readOptions(options);
      const progress = !options.quiet;
      process.stderr.write(`simulate: seed ${plan.traffic.seed}, epoch ${plan.traffic.epoch}, ${plan.limit} → ${options.url}\n`);
      const transport = createHttpTransport(options.url, { concurrency: plan.concurrency });
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.once('SIGINT', onSigint);
      let lastCount = 0;
      let lastAt = 0;
      try {
        const result = await runSimulation(plan.traffic, transport.send, {
          concurrency: plan.concurrency,
          ratePerSec: plan.ratePerSec,
          maxItems: plan.maxItems,
          durationMs: plan.durationMs,
          retries: plan.retries,
          collectTruth: options.expect !== undefined,
          signal: abort.signal,
          ...(progress
            ? {
                onProgress: (stats, elapsedMs) => {
                  const rate = ((stats.requests - lastCount) * 1000) / Math.max(1, elapsedMs - lastAt);
                  [lastCount, lastAt] = [stats.requests, elapsedMs];
                  const line = formatProgressLine(stats, elapsedMs, rate);
                  process.stderr.write(process.stderr.isTTY ? `\r${line}` : `${line}\n`);
                },
              }
            : {}),
        });
        if (progress && process.stderr.isTTY) process.stderr.write('\n');
        process.stdout.write(formatSummaryTable(result.stats, result.elapsedMs));
        if (options.expect !== undefined && result.truth !== null) {
          const fd = openSync(options.expect, 'w');
          try {
            for (const line of groundTruthLines(result.truth)) writeSync(fd, line);
          } finally {
            closeSync(fd);
          }
          const t = result.truth.totals;
          process.stdout.write(`  ground truth  ${options.expect}: ${t.calls} calls, ${t.malformed} malformed, ${t.duplicates_sent} duplicates, ${t.conflicts_sent} conflicts\n`);
        }
        const failed = result.stats.unexpected + result.stats.byClass.error;
        if (failed > 0) process.exitCode = 1;
      } finally {
        process.off('SIGINT', onSigint);
        transport.close();
      }
    });
}

interface RunPlan {
  traffic: TrafficOptions;
  concurrency: number;
  ratePerSec: number | null;
  maxItems: number | null;
  durationMs: number | null;
  retries: number;
  limit: string;
}

function readOptions(o: SimulateOptions): RunPlan {
  const maxItems = o.calls === undefined ? null : parseWholeNumber(o.calls, '--calls', 1, 1e12);
  const durationText = o.duration ?? (maxItems === null ? DEFAULT_DURATION : undefined);
  const durationMs = durationText === undefined ? null : parseDurationMs(durationText, '--duration');
  const traffic: TrafficOptions = {
    ...DEFAULT_TRAFFIC,
    seed: o.seed ?? randomBytes(4).toString('hex'),
    epoch: o.epoch === undefined ? Math.floor(Date.now() / 1000) : parseEpoch(o.epoch, '--epoch'),
    spanSec: Math.max(1, Math.round(parseDurationMs(o.span, '--span') / 1000)),
    users: parseWholeNumber(o.users, '--users', 2, 100_000_000),
    services: o.services === undefined ? DEFAULT_TRAFFIC.services : o.services.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    malformedShare: parseShare(o.malformedShare, '--malformed-share'),
    duplicateShare: parseShare(o.duplicateShare, '--duplicate-share'),
    conflictShare: parseShare(o.conflictShare, '--conflict-share'),
    legacyShare: parseShare(o.legacyShare, '--legacy-share'),
    lateShare: parseShare(o.lateShare, '--late-share'),
    videoShare: parseShare(o.videoShare, '--video-share'),
  };
  const problems = trafficOptionProblems(traffic);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const limits = [maxItems === null ? null : `${maxItems} calls`, durationMs === null ? null : `${durationMs / 1000} s`];
  return {
    traffic,
    concurrency: parseWholeNumber(o.concurrency, '--concurrency', 1, 4_096),
    ratePerSec: o.rate === undefined ? null : parseRatePerSec(o.rate, '--rate'),
    maxItems,
    durationMs,
    retries: parseWholeNumber(o.retries, '--retries', 0, 10),
    limit: `${limits.filter((l) => l !== null).join(' or ')}${o.rate === undefined ? ', as fast as possible' : `, ${o.rate}`}`,
  };
}
