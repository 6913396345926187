import { diagnosePushError } from '../../lifecycle/push-diagnosis.js';
import type { LifecycleFacts } from './lifecycle-facts.js';
import { roundMs } from './ms-histogram.js';

/**
 * The counters the lifecycle rollups keep per quarter-hour slot. Counts of values
 * (`relay`: per outcome, `relay_latency` and `setup_to_notify`: per rounded ms,
 * `push_failure`: per verdict, `agent_call_status`: per result, `fail_reason`: per reason)
 * use the value column; the others use ''.
 */
export const LIFECYCLE_COUNTERS = [
  'notifies', 'notifies_with_end', 'end_missing', 'ends_without_notify', 'relay', 'relay_latency',
  'setup_to_notify', 'push_failure', 'agent_call_status', 'fail_reason',
] as const;
export type LifecycleCounter = (typeof LIFECYCLE_COUNTERS)[number];

/** One unit a sid adds to a counter, placed at an instant (Unix ms, docs/spec/outcomes.md §3.1). */
export interface LifecycleContribution {
  at: number;
  counter: LifecycleCounter;
  value: string;
}

/** The value under which a FAIL without a reason is counted (a primary key holds no null). */
export const NO_FAIL_REASON = '';

/**
 * Everything one sid's stored facts add to the lifecycle counters. The rollups keep the
 * sum over every sid: at each write they add what a sid's contributions became minus what
 * they were, so that a late Call Event, a sweep or a new relay attempt moves exactly its part.
 *
 * @example contributionsOf({ sid, notify: { receivedAt: 5000, endMissing: false }, call: null, relays: [], agentCallStatus: null })
 * // [{ at: 5000, counter: 'notifies', value: '' }]
 */
export function contributionsOf(facts: LifecycleFacts): LifecycleContribution[] {
  const out: LifecycleContribution[] = [];
  const { notify, call, agentCallStatus } = facts;
  if (notify !== null) {
    out.push({ at: notify.receivedAt, counter: 'notifies', value: '' });
    if (call !== null) {
      out.push({ at: notify.receivedAt, counter: 'notifies_with_end', value: '' });
      out.push({ at: notify.receivedAt, counter: 'setup_to_notify', value: String(roundMs(notify.receivedAt - call.setupTime * 1000)) });
    }
    if (notify.endMissing) out.push({ at: notify.receivedAt, counter: 'end_missing', value: '' });
  }
  if (call !== null) {
    const setupMs = call.setupTime * 1000;
    if (notify === null) out.push({ at: setupMs, counter: 'ends_without_notify', value: '' });
    const diagnosis = diagnosePushError({
      disconnect_reason: call.disconnectReason,
      call_end_reason: call.callEndReason,
      notifyReceived: notify !== null,
      relayOutcomes: facts.relays.map((r) => r.outcome),
    });
    if (diagnosis !== null) out.push({ at: setupMs, counter: 'push_failure', value: diagnosis.verdict });
  }
  for (const relay of facts.relays) {
    out.push({ at: relay.attemptedAt, counter: 'relay', value: relay.outcome });
    out.push({ at: relay.attemptedAt, counter: 'relay_latency', value: String(roundMs(relay.latencyMs)) });
  }
  if (agentCallStatus !== null) {
    const result = agentCallStatus.result.toUpperCase();
    out.push({ at: agentCallStatus.receivedAt, counter: 'agent_call_status', value: result });
    if (result === 'FAIL') out.push({ at: agentCallStatus.receivedAt, counter: 'fail_reason', value: agentCallStatus.failReason ?? NO_FAIL_REASON });
  }
  return out;
}
