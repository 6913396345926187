import type { CallEvent } from '../domain/call-event.js';
import { classifyCall } from '../domain/classify/classify-call.js';
import type { DeliveryAnswer, Transport } from './http-transport.js';
import { callbackValues, toQueryString } from './callback-query.js';
import { type Delivery, type PlannedItem, conflictingVersion, planTraffic } from './plan-traffic.js';
import { GROUND_TRUTH_FORMAT, GROUND_TRUTH_VERSION, type GroundTruth, type TruthCall, type TruthLife, type TruthMalformed, totalsOf } from './ground-truth.js';
import { LifeChain, type LifeStep, expectedNotifyStatus } from './lifecycle/life-chain.js';
import { drawLifePlan } from './lifecycle/plan-life.js';
import { createRandom, type Random } from './random.js';
import { SendStats } from './send-stats.js';
import { createPacer, deliverWithRetries } from './send-with-retries.js';
import type { TrafficOptions } from './traffic-options.js';

/** Where the other callbacks of the sequence go (`traffic.lifecycle`): callevt's /callbacks/notify and /callbacks/agent-call-status. */
export interface LifecycleTransports {
  notify: Transport;
  agentCallStatus: Transport;
}

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
  /** Required when `traffic.lifecycle` is set. */
  lifecycleSend?: LifecycleTransports;
  /** Wall-clock time in Unix milliseconds (Date.now by default): a lifecycle call is set up when its Notify goes out. */
  wallClock?: () => number;
}

export interface RunResult {
  stats: SendStats;
  elapsedMs: number;
  truth: GroundTruth | null;
}

interface Job {
  delivery: Delivery;
  call: CallState | null;
  malformed: TruthMalformed | null;
  /** A Notify or Agent Call Status of a lifecycle call (`delivery` then goes to that callback). */
  step: { chain: LifeChain; callback: 'notify' | 'agent-call-status'; later: Delivery[] } | null;
}

interface CallState {
  truth: TruthCall;
  later: Delivery[];
  /** The lifecycle call this end event closes. */
  chain: LifeChain | null;
}

/**
 * Sends planned traffic through `send` with `concurrency` workers, optionally paced to a
 * rate. A re-delivery (duplicate or conflict) is sent only after its original was
 * answered 2xx, so that which version callevt keeps is known: the first one.
 */
export async function runSimulation(traffic: TrafficOptions, send: Transport, options: RunOptions): Promise<RunResult> {
  const now = options.now ?? (() => performance.now());
  const wallClock = options.wallClock ?? Date.now;
  const stats = new SendStats();
  const plan = planTraffic(traffic);
  const lifecycle = traffic.lifecycle;
  if (lifecycle !== null && options.lifecycleSend === undefined) throw new Error('a lifecycle run needs lifecycleSend transports');
  // Its own stream: the calls are the same with or without the lifecycle.
  const lifeRandom: Random = createRandom(`${traffic.seed}/lifecycle`);
  const calls: TruthCall[] = [];
  const malformed: TruthMalformed[] = [];
  const lives: TruthLife[] = [];
  const ready: Job[] = [];
  const started = now();
  let planned = 0;
  let originalsInFlight = 0;
  /** Lifecycle calls whose sequence is not over (a step in flight or waiting for its time). */
  let chainsOpen = 0;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };

  const mayPlanMore = () =>
    !(options.signal?.aborted ?? false) &&
    (options.maxItems === null || planned < options.maxItems) &&
    (options.durationMs === null || now() - started < options.durationMs);

  /** Queues a lifecycle call's next step after its delay, or closes the call; `later`: the end event's planned re-deliveries. */
  const follow = (chain: LifeChain, step: LifeStep | null, later: Delivery[]) => {
    if (step === null) {
      chainsOpen--;
      return;
    }
    const enqueue = () => {
      ready.push(stepJob(chain, step, later, options.collectTruth, calls));
      notify();
    };
    if (step.delayMs > 0) setTimeout(enqueue, step.delayMs);
    else enqueue();
  };

  const startLife = (item: Extract<PlannedItem, { kind: 'call' }>): void => {
    if (lifecycle === null) return;
    const chain = new LifeChain(item.call, drawLifePlan(lifeRandom, item.call, lifecycle, traffic.seed), lifecycle.endAfterMs);
    if (options.collectTruth) lives.push(chain.truth);
    chainsOpen++;
    follow(chain, chain.start(wallClock()), item.deliveries.slice(1));
  };

  const nextJob = (): Job | null => {
    for (;;) {
      const repeat = ready.shift();
      if (repeat !== undefined) return repeat;
      if (!mayPlanMore()) return null;
      planned++;
      const item = plan.next().value;
      if (lifecycle !== null && item.kind === 'call') startLife(item);
      else return jobOf(item, options.collectTruth, calls, malformed);
    }
  };

  const pace = createPacer(options.ratePerSec, now);

  const transportOf = (job: Job): Transport => {
    if (job.step === null) return send;
    const lifeSend = options.lifecycleSend as LifecycleTransports;
    return job.step.callback === 'notify' ? lifeSend.notify : lifeSend.agentCallStatus;
  };

  // LINE Planet does not repeat a failed Notify: it fails the call.
  const deliver = (job: Job): Promise<DeliveryAnswer | null> =>
    deliverWithRetries(transportOf(job), job.delivery.query, job.step?.callback === 'notify' ? 0 : options.retries, stats, now);

  const worker = async () => {
    for (;;) {
      const job = nextJob();
      if (job === null) {
        if (originalsInFlight === 0 && ready.length === 0 && chainsOpen === 0) return;
        await new Promise<void>((resolve) => {
          const previous = wake;
          wake = () => { previous?.(); resolve(); };
        });
        continue;
      }
      const isOriginal = job.delivery.role === 'original' && job.call !== null;
      if (isOriginal) originalsInFlight++;
      await pace();
      job.step?.chain.markSent(job.step.callback, wallClock());
      const answer = await deliver(job);
      if (job.step !== null) follow(job.step.chain, settleStep(job.step, answer, stats, wallClock()), job.step.later);
      else settle(job, answer, stats, ready);
      if (isOriginal && job.call?.chain) {
        job.call.chain.afterEnd(job.call.truth.acknowledged);
        chainsOpen--;
      }
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
        meta: {
          kind: 'meta', format: GROUND_TRUTH_FORMAT, version: GROUND_TRUTH_VERSION, seed: traffic.seed, epoch: traffic.epoch, span_sec: traffic.spanSec,
          ...(lifecycle === null ? {} : { lifecycle: { push_handler: lifecycle.pushHandler !== null } }),
        },
        calls,
        malformed,
        lives,
        totals: totalsOf(calls, malformed, lifecycle === null ? null : lives),
      }
    : null;
  return { stats, elapsedMs, truth };
}

function jobOf(item: PlannedItem, keep: boolean, calls: TruthCall[], malformed: TruthMalformed[]): Job {
  if (item.kind === 'malformed') {
    const bad: TruthMalformed = { kind: 'malformed', query: item.malformed.query, defect: item.malformed.defect, fields: item.malformed.fields, status: null };
    if (keep) malformed.push(bad);
    return { delivery: { query: item.malformed.query, role: 'original' }, call: null, malformed: bad, step: null };
  }
  const [first, ...later] = item.deliveries;
  return { delivery: first, call: { truth: truthCallOf(item.call, keep, calls), later, chain: null }, malformed: null, step: null };
}

/** The truth of a call whose first Call Event delivery is about to go out (kept when `keep`). */
function truthCallOf(call: { event: CallEvent; shape: TruthCall['shape']; late: boolean }, keep: boolean, calls: TruthCall[]): TruthCall {
  const { event, shape, late } = call;
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
  return truth;
}

/**
 * The job of a lifecycle step. The end event is written only now, because what callevt
 * answered the Notify decides it; its re-deliveries keep the planned roles (a duplicate
 * keeps the key order here).
 */
function stepJob(chain: LifeChain, step: LifeStep, plannedLater: Delivery[], keep: boolean, calls: TruthCall[]): Job {
  if (step.callback !== 'call-event') {
    return { delivery: { query: step.query, role: 'original' }, call: null, malformed: null, step: { chain, callback: step.callback, later: plannedLater } };
  }
  const event = step.event;
  const query = toQueryString(callbackValues(event));
  const later = plannedLater.map((d): Delivery =>
    d.role === 'conflict' ? { query: toQueryString(callbackValues(conflictingVersion(event))), role: 'conflict' } : { query, role: d.role },
  );
  const truth = truthCallOf({ event, shape: event.call_end_reason === null ? 'current' : 'legacy', late: chain.truth.late }, keep, calls);
  return { delivery: { query, role: 'original' }, call: { truth, later, chain }, malformed: null, step: null };
}

/**
 * Books the answer to a Notify or an Agent Call Status and returns the call's next step.
 * Unexpected: no answer, a 4xx, an Agent Call Status not answered 2xx, or a Notify
 * answered otherwise than the stand-in push handler's verdict says.
 */
function settleStep(step: NonNullable<Job['step']>, answer: DeliveryAnswer | null, stats: SendStats, wallMs: number): LifeStep | null {
  const status = answer?.status ?? null;
  if (step.callback === 'notify') {
    const expected = expectedNotifyStatus(step.chain.truth.notify.expected_relay);
    if (status === null || (status >= 400 && status < 500) || (expected !== null && status !== expected)) stats.unexpected++;
    return step.chain.afterNotify(answer, wallMs);
  }
  if (status === null || status < 200 || status >= 300) stats.unexpected++;
  return step.chain.afterAgentCallStatus(answer, wallMs);
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
    if (ok) for (const later of job.call.later) ready.push({ delivery: later, call: job.call, malformed: null, step: null });
  } else if (ok && job.delivery.role === 'duplicate') truth.duplicates_sent++;
  else if (ok && job.delivery.role === 'conflict') truth.conflicts_sent++;
}
