import type { Transport } from '../http-transport.js';
import { SendStats } from '../send-stats.js';
import { createPacer, deliverWithRetries } from '../send-with-retries.js';
import type { GroupPlan } from './plan-group-traffic.js';

/** How hard to send a group plan. */
export interface GroupRunOptions {
  concurrency: number;
  /** Requests per second over all workers; null sends as fast as the target answers. */
  ratePerSec: number | null;
  /** Extra attempts for a delivery answered 5xx/429 or not at all. */
  retries: number;
  /** Stops sending (Ctrl-C): what was sent is still reported. */
  signal?: AbortSignal;
  /** Called about every `progressEveryMs` with the counters so far. */
  onProgress?: (stats: SendStats, elapsedMs: number) => void;
  progressEveryMs?: number;
  /** The clock, in milliseconds (performance.now by default). */
  now?: () => number;
}

/** What a group run got back. */
export interface GroupRunResult {
  stats: SendStats;
  elapsedMs: number;
  /**
   * Per planned delivery (same index): the status of its last attempt; null when no
   * answer came, undefined when it was never sent (the run was stopped).
   */
  statuses: Array<number | null | undefined>;
  /** Per planned delivery: answered 2xx with callevt's result, so callevt holds the event. */
  acknowledged: boolean[];
}

/**
 * Sends a group plan's deliveries in their order with `concurrency` workers, optionally
 * paced. Unlike 1-to-1 re-deliveries, a duplicate need not wait for its original: both
 * carry the same event, so whichever arrives first is the one kept.
 */
export async function runGroupSimulation(plan: GroupPlan, send: Transport, options: GroupRunOptions): Promise<GroupRunResult> {
  const now = options.now ?? (() => performance.now());
  const stats = new SendStats();
  const statuses: GroupRunResult['statuses'] = new Array(plan.deliveries.length).fill(undefined);
  const acknowledged: boolean[] = new Array(plan.deliveries.length).fill(false);
  const pace = createPacer(options.ratePerSec, now);
  const started = now();
  let next = 0;
  const worker = async () => {
    while (next < plan.deliveries.length && !(options.signal?.aborted ?? false)) {
      const index = next++;
      const delivery = plan.deliveries[index];
      if (delivery === undefined) return;
      await pace();
      const answer = await deliverWithRetries(send, delivery.query, options.retries, stats, now);
      statuses[index] = answer?.status ?? null;
      // A 2xx without callevt's `result` came from something else: nothing was stored.
      acknowledged[index] = answer !== null && answer.status >= 200 && answer.status < 300 && answer.result !== null;
      if (answer !== null && !acknowledged[index]) stats.unexpected++;
    }
  };
  const timer = options.onProgress === undefined ? null : setInterval(() => options.onProgress?.(stats, now() - started), options.progressEveryMs ?? 1_000);
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    if (timer !== null) clearInterval(timer);
  }
  return { stats, elapsedMs: now() - started, statuses, acknowledged };
}

/** Requests by the status of their last attempt (`none`: no answer); unsent ones are left out. */
export function answersByStatus(statuses: GroupRunResult['statuses']): Record<string, number> {
  const answers: Record<string, number> = {};
  for (const status of statuses) {
    if (status === undefined) continue;
    const answer = status === null ? 'none' : String(status);
    answers[answer] = (answers[answer] ?? 0) + 1;
  }
  return answers;
}
