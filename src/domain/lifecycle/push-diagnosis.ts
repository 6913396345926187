/** Legacy call_end_reason 1020 and disconnect_reason 1302: the Notify callback failed (docs/spec/callbacks.md §5.3, §5.4). */
export const PUSH_ERROR_DISCONNECT_REASON = 1302;
export const PUSH_ERROR_CALL_END_REASON = 1020;

/**
 * Where a PUSH_ERROR came from, as far as callevt can tell:
 * `notify_not_received` LINE Planet could not reach callevt (or did not try);
 * `push_handler` callevt got the Notify but the app's handler refused it or was too slow;
 * `other` the Notify was received and relayed fine (or not relayed: nothing to blame here).
 */
export type PushDiagnosisVerdict = 'notify_not_received' | 'push_handler' | 'other';

export interface PushDiagnosis {
  verdict: PushDiagnosisVerdict;
  /** One plain sentence for a support ticket. */
  explanation: string;
}

/** The facts the diagnosis reads: the Call Event's codes, whether a Notify came, its relay attempts' outcomes. */
export interface PushFacts {
  disconnect_reason: number | null;
  call_end_reason: number | null;
  notifyReceived: boolean;
  relayOutcomes: readonly string[];
}

/** Whether a call ended with PUSH_ERROR (the current or the legacy code). */
export function endedWithPushError(call: Pick<PushFacts, 'disconnect_reason' | 'call_end_reason'>): boolean {
  return call.disconnect_reason === PUSH_ERROR_DISCONNECT_REASON || call.call_end_reason === PUSH_ERROR_CALL_END_REASON;
}

/**
 * Says where a PUSH_ERROR came from; null for a call that did not end with one.
 *
 * @example diagnosePushError({ disconnect_reason: 1302, call_end_reason: null, notifyReceived: false, relayOutcomes: [] })?.verdict // 'notify_not_received'
 */
export function diagnosePushError(facts: PushFacts): PushDiagnosis | null {
  if (!endedWithPushError(facts)) return null;
  if (!facts.notifyReceived) {
    return {
      verdict: 'notify_not_received',
      explanation: 'callevt never received the Notify for this call: LINE Planet could not reach you (check notify_cb_url, the secret path, the allowlist and the network).',
    };
  }
  const last = facts.relayOutcomes.at(-1);
  if (last !== undefined && last !== 'ok') {
    return {
      verdict: 'push_handler',
      explanation: `callevt received the Notify, but your push handler did not take it (last relay attempt: ${last.replace('_', ' ')}).`,
    };
  }
  return {
    verdict: 'other',
    explanation: last === 'ok'
      ? "callevt received the Notify and your push handler accepted it: the push failed after it (push service, the callee's device or LINE Planet)."
      : 'callevt received and answered the Notify (no relay is configured): the failure lies after it, with whoever sends the push.',
  };
}
