import type { TruthLife } from '../ground-truth.js';
import { expectedNotifyStatus, notifyStored } from '../lifecycle/life-chain.js';
import { show } from './check-result.js';

/** What `GET /api/calls/:sid/lifecycle` answers, as far as verify reads it (null: 404). */
export interface StoredLife {
  lifecycle: { state: string; end_due_at: string | null };
  notify: Record<string, unknown> | null;
  agent_call_status: { result?: unknown; fail_reason?: unknown } | null;
  notify_relays: Array<{ outcome: string }>;
  push_diagnosis: { verdict: string } | null;
}

/** The mismatches of one sid, by the check they belong to. */
export interface LifeProblems {
  notify: string[];
  relay: string[];
  agentCallStatus: string[];
  end: string[];
  diagnosis: string[];
}

/** The state the lifecycle must show for a life; null when callevt holds nothing of the sid (404). */
export function expectedState(life: TruthLife): 'ended' | 'end_missing' | 'unknown' | null {
  if (life.end.sent && life.end.acknowledged) return 'ended';
  if (notifyStored(life.notify.status)) return 'end_missing';
  const acs = life.agent_call_status;
  return acs !== null && acs.status !== null && acs.status >= 200 && acs.status < 300 ? 'unknown' : null;
}

/**
 * Compares one sid's stored life with its truth: the Notify's fields, its relay attempts
 * (one, with the stand-in handler's verdict; else consistent with the answer the
 * simulator got), the Agent Call Status, the lifecycle state and the push diagnosis.
 * Pure.
 */
export function compareLife(life: TruthLife, stored: StoredLife | null): LifeProblems {
  const p: LifeProblems = { notify: [], relay: [], agentCallStatus: [], end: [], diagnosis: [] };
  const sid = life.sid;
  const state = expectedState(life);
  if (stored === null) {
    if (state !== null) p.end.push(`${sid}: no lifecycle (404), expected ${state}`);
    return p;
  }
  if (notifyStored(life.notify.status)) {
    if (stored.notify === null) p.notify.push(`${sid}: the Notify answered ${life.notify.status} is not stored`);
    else {
      for (const [key, value] of Object.entries(life.notify.fields ?? {})) {
        const got = stored.notify[key];
        if (got !== (key === 'sid' ? value.toLowerCase() : value)) p.notify.push(`${sid}: notify.${key} sent ${show(value)}, stored ${show(got)}`);
      }
    }
    compareRelays(life, stored.notify_relays, p.relay);
  } else if (stored.notify !== null) {
    p.notify.push(`${sid}: a Notify is stored, but none was ${life.notify.sent_at === null ? `sent (${life.notify.delivery})` : 'acknowledged'}`);
  }
  const acs = life.agent_call_status;
  if (acs !== null && acs.status !== null && acs.status >= 200 && acs.status < 300) {
    const got = stored.agent_call_status;
    const failReason = acs.fail_reason_sent.toLowerCase() === 'none' ? null : acs.fail_reason_sent;
    if (got === null) p.agentCallStatus.push(`${sid}: the Agent Call Status is not stored`);
    else if (got.result !== acs.result || got.fail_reason !== failReason) {
      p.agentCallStatus.push(`${sid}: agent call status sent ${show(acs.result_sent)}/${show(acs.fail_reason_sent)}, stored ${show(got.result)}/${show(got.fail_reason)}`);
    }
  } else if (acs === null && stored.agent_call_status !== null) p.agentCallStatus.push(`${sid}: an Agent Call Status is stored, none was sent`);
  if (stored.lifecycle.state !== state) {
    p.end.push(`${sid}: state ${show(stored.lifecycle.state)}, expected ${show(state)}${life.end.sent ? '' : ' (its end event was never sent)'}`);
  }
  const verdict = stored.push_diagnosis?.verdict ?? null;
  if (life.end.sent && life.end.acknowledged && verdict !== life.expected_diagnosis) {
    p.diagnosis.push(`${sid}: push diagnosis ${show(verdict)}, expected ${show(life.expected_diagnosis)}`);
  }
  return p;
}

function compareRelays(life: TruthLife, relays: ReadonlyArray<{ outcome: string }>, problems: string[]): void {
  const sid = life.sid;
  const outcomes = relays.map((r) => r.outcome);
  const expected = life.notify.expected_relay;
  if (expected !== null) {
    if (outcomes.length !== 1 || outcomes[0] !== expected) problems.push(`${sid}: relay attempts ${show(outcomes)}, expected [${show(expected)}]`);
    return;
  }
  // No stand-in handler: the attempts must agree with the answer the simulator got.
  const status = life.notify.status;
  const last = outcomes.at(-1);
  const fits = status === 504 ? last === 'timeout' : status === 502 ? last === 'http_error' || last === 'unreachable' : last === undefined || last === 'ok';
  if (!fits) problems.push(`${sid}: relay attempts ${show(outcomes)} do not fit the answer ${status}`);
}

/** Problems with the answers the simulator got to Notifies and Agent Call Statuses (from the truth alone). */
export function answerProblems(lives: readonly TruthLife[]): string[] {
  const problems: string[] = [];
  for (const life of lives) {
    const n = life.notify;
    if (n.sent_at !== null) {
      const expected = expectedNotifyStatus(n.expected_relay);
      if (n.status === null) problems.push(`${life.sid}: the Notify got no answer`);
      else if (expected !== null ? n.status !== expected : !notifyStored(n.status)) {
        problems.push(`${life.sid}: the Notify was answered ${n.status}, expected ${expected ?? '2xx, 502 or 504'}`);
      }
    }
    const a = life.agent_call_status;
    if (a !== null && (a.status === null || a.status < 200 || a.status >= 300)) problems.push(`${life.sid}: the Agent Call Status was answered ${a.status ?? 'nothing'} instead of 2xx`);
  }
  return problems;
}
