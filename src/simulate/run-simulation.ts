import type { CallEvent } from '../domain/call-event.js';
import { classifyCall } from '../domain/classify/classify-call.js';
import type { DeliveryAnswer, Transport } from './http-transport.js';
import { type Delivery, type PlannedItem, planTraffic } from './plan-traffic.js';
import { GROUND_TRUTH_FORMAT, GROUND_TRUTH_VERSION, type GroundTruth, type TruthCall, type TruthMalformed, totalsOf } from './ground-truth.js';
import { SendStats } from './send-stats.js';
import type { TrafficOptions } from './traffic-options.js';

/** How hard and how long to send. */
export interface RunOptions {
  concurrency: number;
  /** Requests per second over all workers; null sends as fast as the target answers. */
  ratePerSec: number | null;
  /** Stop after this many planned items (unique calls + malformed requests). */
  maxItems: number | null;
  /** Stop taking new items after this long, in milliseconds. */
  durationMs: number | null;
  /** Extra attempts for a delivery answered 5xx/429 or not at all (like a retrying sender). */
  retries: number;
  /** Keep what was sent, for `--expect`. */
  collectTruth: boolean;
  /** Called about every `progressEveryMs` with the counters so far. */
  onProgress?: (stats: SendStats, elapsedMs: number) => void;
  progressEveryMs?: number;
  /** Stops taking new items (Ctrl-C): what was sent is still reported. */
  signal?: AbortSignal;
  /** The clock, in milliseconds (performance.now by default). */
  now?: () => number;
}

export interface RunResult {
  stats: SendStats;
  elapsedMs: number;
  truth: GroundTruth | null;
}

/** A wait before retry N (1-based), in milliseconds. */
const RETRY_BACKOFF_MS = [50, 200, 1_000];

interface Job {
  delivery: Delivery;
  call: CallState | null;
  malformed: TruthMalformed | null;
}

interface CallState {
  truth: TruthCall;
  later: Delivery[];
}

/**
 * Sends planned traffic through `send` with `concurrency` workers, optionally paced to a
 * rate. A re-delivery (duplicate or conflict) is sent only after its original was
 * answered 2xx, so that which version callevt keeps is known: the first one.
 */
export async function runSimulation(traffic: TrafficOptions, send: Transport, options: RunOptions): Promise<RunResult> {
  const now = options.now ?? (() => performance.now());
  const stats = new SendStats();
  const plan = planTraffic(traffic);
  const calls: TruthCall[] = [];
  const malformed: TruthMalformed[] = [];
  const ready: Job[] = [];
  const started = now();
  let planned = 0;
  let originalsInFlight = 0;
  let nextSlot = started;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };

  const mayPlanMore = () =>
    !(options.signal?.aborted ?? false) &&
    (options.maxItems === null || planned < options.maxItems) &&
    (options.durationMs === null || now() - started < options.durationMs);

  const nextJob = (): Job | null => {
    const repeat = ready.shift();
    if (repeat !== undefined) return repeat;
    if (!mayPlanMore()) return null;
    planned++;
    return jobOf(plan.next().value, options.collectTruth, calls, malformed);
  };

  const pace = async () => {
    if (options.ratePerSec === null) return;
    const slot = Math.max(now(), nextSlot);
    nextSlot = slot + 1000 / options.ratePerSec;
    const wait = slot - now();
    if (wait >= 1) await sleep(wait);
  };

  const deliver = async (job: Job): Promise<DeliveryAnswer | null> => {
    for (let attempt = 0; ; attempt++) {
      const t0 = now();
      let answer: DeliveryAnswer | null = null;
      try {
        answer = await send(job.delivery.query);
        stats.recordAnswer(answer.status, answer.result, now() - t0);
      } catch (error) {
        stats.recordError(error);
      }
      const retryable = answer === null || answer.status >= 500 || answer.status === 429;
      if (!retryable || attempt >= options.retries) return answer;
      stats.retries++;
      await sleep(RETRY_BACKOFF_MS[attempt] ?? 1_000);
    }
  };

  const worker = async () => {
    for (;;) {
      const job = nextJob();
      if (job === null) {
        if (originalsInFlight === 0 && ready.length === 0) return;
        await new Promise<void>((resolve) => {
          const previous = wake;
          wake = () => { previous?.(); resolve(); };
        });
        continue;
      }
      const isOriginal = job.delivery.role === 'original' && job.call !== null;
      if (isOriginal) originalsInFlight++;
      await pace();
      const answer = await deliver(job);
      settle(job, answer, stats, ready);
      if (isOriginal) originalsInFlight--;
      notify();
    }
  };

  const timer = options.onProgress === undefined
    ? null
    : setInterval(() => options.onProgress?.(stats, now() - started), options.progressEveryMs ?? 1_000);
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    if (timer !== null) clearInterval(timer);
  }
  const elapsedMs = now() - started;
  const truth: GroundTruth | null = options.collectTruth
    ? {
        meta: { kind: 'meta', format: GROUND_TRUTH_FORMAT, version: GROUND_TRUTH_VERSION, seed: traffic.seed, epoch: traffic.epoch, span_sec: traffic.spanSec },
        calls,
        malformed,
        totals: totalsOf(calls, malformed),
      }
    : null;
  return { stats, elapsedMs, truth };
}

function jobOf(item: PlannedItem, keep: boolean, calls: TruthCall[], malformed: TruthMalformed[]): Job {
  if (item.kind === 'malformed') {
    const bad: TruthMalformed = { kind: 'malformed', query: item.malformed.query, defect: item.malformed.defect, fields: item.malformed.fields, status: null };
    if (keep) malformed.push(bad);
    return { delivery: { query: item.malformed.query, role: 'original' }, call: null, malformed: bad };
  }
  const { event, shape, late } = item.call;
  const truth: TruthCall = {
    kind: 'call',
    sid: event.sid,
    fields: event,
    // Classifying costs more than sending; without --expect nobody reads the result.
    expected: keep ? expectedStatus(event) : UNCLASSIFIED,
    shape,
    late,
    acknowledged: false,
    duplicates_sent: 0,
    conflicts_sent: 0,
  };
  if (keep) calls.push(truth);
  const [first, ...later] = item.deliveries;
  return { delivery: first, call: { truth, later }, malformed: null };
}

const UNCLASSIFIED: TruthCall['expected'] = { outcome: 'failed', ended_by: 'unknown', reason: 'not classified', reason_source: 'terminate' };

function expectedStatus(event: CallEvent): TruthCall['expected'] {
  const status = classifyCall(event);
  return { outcome: status.outcome, ended_by: status.ended_by, reason: status.reason, reason_source: status.reason_source };
}

/** Books an answer: into the truth, the unexpected counter, and re-deliveries now due. */
function settle(job: Job, answer: DeliveryAnswer | null, stats: SendStats, ready: Job[]): void {
  // A 2xx without callevt's `result` came from something else: nothing was stored.
  const ok = answer !== null && answer.status >= 200 && answer.status < 300 && answer.result !== null;
  if (job.malformed !== null) {
    job.malformed.status = answer?.status ?? null;
    if (ok) stats.unexpected++;
    return;
  }
  if (job.call === null) return;
  if (answer !== null && !ok) stats.unexpected++;
  const truth = job.call.truth;
  if (job.delivery.role === 'original') {
    truth.acknowledged = ok;
    // Without an acknowledged original, which version is kept would be a guess: send no more.
    if (ok) for (const later of job.call.later) ready.push({ delivery: later, call: job.call, malformed: null });
  } else if (ok && job.delivery.role === 'duplicate') truth.duplicates_sent++;
  else if (ok && job.delivery.role === 'conflict') truth.conflicts_sent++;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
