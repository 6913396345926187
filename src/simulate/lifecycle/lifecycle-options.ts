/**
 * The whole 1-to-1 call sequence (`callevt simulate --lifecycle`): per call a Notify at
 * setup, for a share of calls an Agent Call Status, then the Call Event at the end
 * (docs/spec/callbacks.md §1, §3, §4). Shares are fractions in [0, 1].
 */
export interface LifecycleOptions {
  /** Share of calls whose end event LINE Planet never sends (callevt must list them as end_missing). */
  lostEndShare: number;
  /** Share of Notifies LINE Planet could not deliver: not sent; the call ends with PUSH_ERROR. */
  undeliverableNotifyShare: number;
  /** Share of calls placed by the server ("Audio Caller"), reported by an Agent Call Status. */
  agentCallStatusShare: number;
  /** Wait between a call's Notify (or Agent Call Status) being answered and its end event, in milliseconds. */
  endAfterMs: number;
  /** The stand-in push handler's choices, when one runs (null: callevt relays elsewhere, or not at all). */
  pushHandler: PushHandlerShares | null;
}

/** How the stand-in push handler treats Notifies: refuse (500), stall past the relay timeout, else take (200). */
export interface PushHandlerShares {
  refuseShare: number;
  stallShare: number;
}

/** The defaults of the lifecycle options (no push handler). */
export const DEFAULT_LIFECYCLE: Readonly<LifecycleOptions> = {
  lostEndShare: 0.02,
  undeliverableNotifyShare: 0.01,
  agentCallStatusShare: 0.1,
  endAfterMs: 1_000,
  pushHandler: null,
};

/** The default shares of the stand-in push handler. */
export const DEFAULT_PUSH_HANDLER: Readonly<PushHandlerShares> = { refuseShare: 0.05, stallShare: 0.02 };

/** Longest accepted wait before an end event, in milliseconds. */
export const MAX_END_AFTER_MS = 3_600_000;

/** Every problem with a set of lifecycle options (empty when valid). */
export function lifecycleOptionProblems(options: LifecycleOptions): string[] {
  const problems: string[] = [];
  const shares: Array<[string, number]> = [
    ['lostEndShare', options.lostEndShare],
    ['undeliverableNotifyShare', options.undeliverableNotifyShare],
    ['agentCallStatusShare', options.agentCallStatusShare],
    ...(options.pushHandler === null ? [] : [['refuseShare', options.pushHandler.refuseShare], ['stallShare', options.pushHandler.stallShare]] as Array<[string, number]>),
  ];
  for (const [name, v] of shares) {
    if (!(Number.isFinite(v) && v >= 0 && v <= 1)) problems.push(`${name} must be a fraction from 0 to 1 (got ${v})`);
  }
  if (options.pushHandler !== null && options.pushHandler.refuseShare + options.pushHandler.stallShare > 1) {
    problems.push('refuseShare + stallShare must not exceed 1');
  }
  if (!(Number.isSafeInteger(options.endAfterMs) && options.endAfterMs >= 0 && options.endAfterMs <= MAX_END_AFTER_MS)) {
    problems.push(`endAfterMs must be a whole number of milliseconds from 0 to ${MAX_END_AFTER_MS}`);
  }
  return problems;
}
