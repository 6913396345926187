import type { Outcome } from '../domain/classify/call-status.js';
import { DEFAULT_OUTCOME_WEIGHTS } from './end-scenarios.js';
import { type LifecycleOptions, lifecycleOptionProblems } from './lifecycle/lifecycle-options.js';

/** What the simulated traffic looks like. Shares are fractions in [0, 1]. */
export interface TrafficOptions {
  /** Same seed (and epoch) → same traffic. */
  seed: string;
  /** Unix seconds: ordinary calls end within the `spanSec` seconds before it. */
  epoch: number;
  spanSec: number;
  /** Users per service. */
  users: number;
  services: readonly string[];
  videoShare: number;
  /** Share of callbacks in the 2020 (seed) shape: call_end_reason + releaser + stid. */
  legacyShare: number;
  /** Share of calls delivered a second time, identically. */
  duplicateShare: number;
  /** Share of calls delivered a second time with different content (same sid). */
  conflictShare: number;
  /** Share of calls whose end_time is hours to days before the window. */
  lateShare: number;
  /** Share of requests that are malformed callbacks (quarantined by callevt). */
  malformedShare: number;
  /** Share of calls that carry a key this version of callevt does not know. */
  unknownKeyShare: number;
  outcomeWeights: Readonly<Record<Outcome, number>>;
  /** The whole sequence per call (Notify, Agent Call Status, end event); null: Call Events alone. */
  lifecycle: LifecycleOptions | null;
}

/** One hour, in seconds: the default window the calls' end times fall in. */
export const DEFAULT_SPAN_SEC = 3_600;

/** The defaults, apart from the seed and the epoch. */
export const DEFAULT_TRAFFIC: Readonly<Omit<TrafficOptions, 'seed' | 'epoch'>> = {
  spanSec: DEFAULT_SPAN_SEC,
  users: 2_000,
  services: ['linecorp.com', 'line.me', 'shop.example.com', 'game.example.jp', 'clinic.example.kr'],
  videoShare: 0.3,
  legacyShare: 0.2,
  duplicateShare: 0.05,
  conflictShare: 0.01,
  lateShare: 0.02,
  malformedShare: 0.01,
  unknownKeyShare: 0.02,
  outcomeWeights: DEFAULT_OUTCOME_WEIGHTS,
  lifecycle: null,
};

const SHARES = ['videoShare', 'legacyShare', 'duplicateShare', 'conflictShare', 'lateShare', 'malformedShare', 'unknownKeyShare'] as const;

/** Every problem with a set of traffic options (empty when valid). */
export function trafficOptionProblems(options: TrafficOptions): string[] {
  const problems: string[] = [];
  for (const share of SHARES) {
    const v = options[share];
    if (!(Number.isFinite(v) && v >= 0 && v <= 1)) problems.push(`${share} must be a fraction from 0 to 1 (got ${v})`);
  }
  if (options.duplicateShare + options.conflictShare > 1) problems.push('duplicateShare + conflictShare must not exceed 1');
  if (!Number.isSafeInteger(options.epoch) || options.epoch < options.spanSec + 8 * 86_400) problems.push('epoch must be Unix seconds');
  if (!Number.isSafeInteger(options.spanSec) || options.spanSec < 1) problems.push('spanSec must be a whole number of seconds, at least 1');
  if (!Number.isSafeInteger(options.users) || options.users < 2) problems.push('users must be a whole number, at least 2');
  if (options.services.length === 0 || options.services.some((s) => !/^[A-Za-z0-9._-]{1,64}$/.test(s))) {
    problems.push('services must be one or more ids of letters, digits, ".", "_" or "-"');
  }
  if (Object.values(options.outcomeWeights).reduce((a, b) => a + b, 0) <= 0) problems.push('outcome weights must not all be 0');
  if (options.lifecycle !== null) problems.push(...lifecycleOptionProblems(options.lifecycle));
  return problems;
}
