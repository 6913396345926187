import type { ApiClient } from '../api-client.js';
import type { GroundTruth } from '../ground-truth.js';
import { checkCalls } from './check-calls.js';
import { checkLifecycle } from './check-lifecycle.js';
import { checkLifecycleFigures } from './check-lifecycle-figures.js';
import { type CheckResult, checkResult } from './check-result.js';
import { checkQuarantine } from './check-quarantine.js';
import { checkStoredCount } from './check-stored-count.js';
import { checkSummary } from './check-summary.js';
import { plural } from '../../domain/plural.js';

export interface VerifyOptions {
  /** Requests in flight at once while reading calls back. */
  concurrency?: number;
  /** The run owns the database: the total number of calls must match too. */
  exclusive?: boolean;
  /** A skipped check (an endpoint the server lacks) fails the verification. */
  strict?: boolean;
  /** Longest wait for lost end events to become end_missing, in milliseconds (default DEFAULT_END_MISSING_WAIT_MS). */
  endMissingWaitMs?: number;
  /** Told when verify waits for lost end events to become due. */
  onWait?: (ms: number, count: number) => void;
}

/** How long verify waits by default for lost end events to become end_missing: 3 minutes. */
export const DEFAULT_END_MISSING_WAIT_MS = 180_000;

export interface VerifyReport {
  truth: GroundTruth['totals'];
  checks: CheckResult[];
  /** Figures shown for information, not judged. */
  notes: string[];
  ok: boolean;
}

/**
 * Checks a server (through its read API) against the ground truth of a simulation:
 * every call stored as sent first, with its outcome; conflicts counted; with `exclusive`,
 * nothing else stored; malformed requests quarantined; the statistics summary as computed
 * here (over this run's calls and any earlier ones in the window); for a `--lifecycle`
 * run, every call's sequence (Notify, relay, Agent Call Status, end or end_missing, push
 * diagnosis) and the lifecycle figures.
 */
export async function verifyGroundTruth(truth: GroundTruth, api: ApiClient, options: VerifyOptions = {}): Promise<VerifyReport> {
  const checks: CheckResult[] = [checkAcknowledged(truth)];
  checks.push(...(await checkCalls(truth.calls, api, options.concurrency ?? 16)));
  const stored = await checkStoredCount(truth.calls, api, options.exclusive ?? false);
  checks.push(stored.result);
  checks.push(await checkQuarantine(truth.malformed, api));
  const summary = await checkSummary(truth.calls, api, stored.others);
  checks.push(summary.result);
  if (truth.lives.length > 0) {
    checks.push(...(await checkLifecycle(truth.lives, api, {
      concurrency: options.concurrency ?? 16,
      maxWaitMs: options.endMissingWaitMs ?? DEFAULT_END_MISSING_WAIT_MS,
      ...(options.onWait ? { onWait: options.onWait } : {}),
    })));
    checks.push(await checkLifecycleFigures(truth, api, (options.exclusive ?? false) || stored.others.length === 0));
  }
  const ok = checks.every((c) => c.status === 'pass' || (c.status === 'skip' && !(options.strict ?? false)));
  return { truth: truth.totals, checks, notes: summary.notes, ok };
}

/** Every call's first delivery answered 2xx, every malformed request answered 4xx. */
function checkAcknowledged(truth: GroundTruth): CheckResult {
  const problems: string[] = [];
  for (const call of truth.calls) if (!call.acknowledged) problems.push(`${call.sid}: the first delivery was never answered 2xx`);
  for (const bad of truth.malformed) {
    if (bad.status === null || bad.status < 400 || bad.status >= 500) {
      problems.push(`${bad.defect} request answered ${bad.status ?? 'nothing'} instead of 4xx: ${bad.query.slice(0, 120)}`);
    }
  }
  const callsOk = truth.calls.filter((c) => c.acknowledged).length;
  const badOk = truth.malformed.filter((m) => m.status !== null && m.status >= 400 && m.status < 500).length;
  return checkResult('deliveries answered', problems, `${callsOk}/${plural(truth.calls.length, 'call')} answered 2xx, ${badOk}/${plural(truth.malformed.length, 'malformed request')} answered 4xx`);
}
