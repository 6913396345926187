/**
 * Where a call is in its life, from the callbacks seen for its sid:
 * `ended` the Call Event arrived; `in_progress` notified, the Call Event not yet due;
 * `end_missing` notified, and no Call Event within the deadline after the Notify;
 * `unknown` neither (an Agent Call Status alone).
 */
export type LifecycleState = 'ended' | 'in_progress' | 'end_missing' | 'unknown';

export interface Lifecycle {
  state: LifecycleState;
  /** Unix milliseconds the Notify was received, or null. */
  notified_at: number | null;
  /** Unix milliseconds the Call Event was received, or null. */
  ended_at: number | null;
  /** Unix milliseconds after which a missing Call Event makes the call end_missing; null without a Notify. */
  end_due_at: number | null;
  /** Seconds from the call's setup (Call Event setup_time) to the Notify's arrival; null unless both are known. */
  setup_to_notify_sec: number | null;
}

/**
 * A call's lifecycle (docs/api.md, "One call's life"). Pure: the time is a parameter.
 *
 * @example lifecycleOf({ notifiedAt: 0, endedAt: null, setupTime: null }, { now: 10, deadlineMs: 5 }).state // 'end_missing'
 */
export function lifecycleOf(
  seen: { notifiedAt: number | null; endedAt: number | null; setupTime: number | null },
  clock: { now: number; deadlineMs: number },
): Lifecycle {
  const { notifiedAt, endedAt, setupTime } = seen;
  const dueAt = notifiedAt === null ? null : notifiedAt + clock.deadlineMs;
  let state: LifecycleState = 'unknown';
  if (endedAt !== null) state = 'ended';
  else if (dueAt !== null) state = clock.now > dueAt ? 'end_missing' : 'in_progress';
  const setupToNotify = notifiedAt !== null && setupTime !== null ? Math.round(notifiedAt / 1000 - setupTime) : null;
  return { state, notified_at: notifiedAt, ended_at: endedAt, end_due_at: dueAt, setup_to_notify_sec: setupToNotify };
}
