import type { CallEvent } from '../../domain/call-event.js';
import { classifyCall } from '../../domain/classify/classify-call.js';
import { endedWithPushError } from '../../domain/lifecycle/push-diagnosis.js';
import type { ExpectedDiagnosis, TruthLife } from '../ground-truth.js';
import type { DeliveryAnswer } from '../http-transport.js';
import type { SimulatedCall } from '../generate-call.js';
import type { LifePlan } from './plan-life.js';
import { agentCallStatusQuery, notifyQuery, pushErrorVersion, rebaseCall } from './plan-life.js';

/** The next request of a call's sequence, and how long after the previous answer it goes. */
export type LifeStep =
  | { callback: 'notify' | 'agent-call-status'; query: string; delayMs: number }
  | { callback: 'call-event'; event: CallEvent; delayMs: number };

/** A Notify answer after which callevt holds the Notify: 2xx, or the relay's 502/504 (docs/api.md). */
export function notifyStored(status: number | null): boolean {
  return status !== null && ((status >= 200 && status < 300) || status === 502 || status === 504);
}

/** The status callevt must answer a Notify, given the stand-in handler's verdict (null: no handler, 200 when no relay). */
export function expectedNotifyStatus(relay: TruthLife['notify']['expected_relay']): number | null {
  if (relay === null) return null;
  return { ok: 200, http_error: 502, timeout: 504 }[relay];
}

/**
 * One call's sequence as LINE Planet plays it (docs/spec/callbacks.md §3, §4, §1): the
 * Notify at setup; when callevt does not answer it 2xx, the call fails with PUSH_ERROR;
 * then, for a server-placed call, the Agent Call Status; then, unless lost, the Call
 * Event. `start` and each `after…` return the next step, or null when the call is over.
 * The truth it keeps is what the run actually sent and got.
 */
export class LifeChain {
  readonly truth: TruthLife;
  private event: CallEvent;

  constructor(
    call: SimulatedCall,
    private readonly plan: LifePlan,
    private readonly endAfterMs: number,
  ) {
    this.event = call.event;
    this.truth = {
      kind: 'life',
      sid: call.event.sid,
      late: call.late,
      notify: { delivery: plan.notify, fields: null, sent_at: null, answered_at: null, status: null, expected_relay: plan.expectedRelay },
      agent_call_status: null,
      end: { sent: false, acknowledged: false, push_error: false, setup_time: call.event.setup_time },
      expected_diagnosis: null,
    };
  }

  /** The first request, sent at `wallMs` (Unix milliseconds): the call is set up then, unless it is a late one. */
  start(wallMs: number): LifeStep | null {
    if (this.plan.notify === 'before_window') return this.endStep(0);
    this.event = rebaseCall(this.event, Math.floor(wallMs / 1000));
    this.truth.end.setup_time = this.event.setup_time;
    if (this.plan.notify === 'undeliverable') {
      this.event = pushErrorVersion(this.event);
      return this.agentCallStatusStep() ?? this.endStep(0);
    }
    const query = notifyQuery(this.event, this.plan.param);
    this.truth.notify.fields = Object.fromEntries(new URLSearchParams(query));
    this.truth.notify.sent_at = wallMs;
    return { callback: 'notify', query, delayMs: 0 };
  }

  /** callevt's answer to the Notify (null: none came). Anything but 2xx fails the call, as LINE Planet does. */
  afterNotify(answer: DeliveryAnswer | null, wallMs: number): LifeStep | null {
    this.truth.notify.answered_at = wallMs;
    this.truth.notify.status = answer?.status ?? null;
    const taken = answer !== null && answer.status >= 200 && answer.status < 300;
    if (!taken) this.event = pushErrorVersion(this.event);
    return this.agentCallStatusStep() ?? this.endStep(taken ? this.endAfterMs : 0);
  }

  /** callevt's answer to the Agent Call Status. */
  afterAgentCallStatus(answer: DeliveryAnswer | null, wallMs: number): LifeStep | null {
    const acs = this.truth.agent_call_status;
    if (acs !== null) {
      acs.answered_at = wallMs;
      acs.status = answer?.status ?? null;
    }
    return this.endStep(acs?.result === 'SUCCESS' ? this.endAfterMs : 0);
  }

  /** Whether the end event's first delivery was answered 2xx. */
  afterEnd(acknowledged: boolean): void {
    this.truth.end.acknowledged = acknowledged;
  }

  private agentCallStatusStep(): LifeStep | null {
    if (this.plan.agentCallStatus === null) return null;
    // A server-placed call that fails is reported as FAIL, with the reason's name.
    const status = classifyCall(this.event);
    const failed = status.outcome === 'failed';
    const resultSent = failed ? 'FAIL' : this.plan.agentCallStatus.successSpelling;
    const failReasonSent = failed ? status.reason : 'None';
    this.truth.agent_call_status = {
      result_sent: resultSent, result: failed ? 'FAIL' : 'SUCCESS', fail_reason_sent: failReasonSent, sent_at: 0, answered_at: null, status: null,
    };
    return { callback: 'agent-call-status', query: agentCallStatusQuery(this.event.sid, resultSent, failReasonSent), delayMs: 0 };
  }

  /** Marks when the Agent Call Status went out (the clock is the runner's). */
  markSent(callback: LifeStep['callback'], wallMs: number): void {
    if (callback === 'agent-call-status' && this.truth.agent_call_status !== null) this.truth.agent_call_status.sent_at = wallMs;
  }

  private endStep(delayMs: number): LifeStep | null {
    const pushError = endedWithPushError(this.event);
    this.truth.end.push_error = pushError;
    if (this.plan.lostEnd) return null;
    this.truth.end.sent = true;
    this.truth.expected_diagnosis = pushError ? this.expectedDiagnosis() : null;
    return { callback: 'call-event', event: this.event, delayMs };
  }

  private expectedDiagnosis(): ExpectedDiagnosis | null {
    const { notify } = this.truth;
    if (notify.sent_at === null) return 'notify_not_received';
    if (notify.status === null) return null; // no answer: whether callevt holds it is unknown
    if (!notifyStored(notify.status)) return 'notify_not_received';
    if (notify.expected_relay !== null) return notify.expected_relay === 'ok' ? 'other' : 'push_handler';
    return notify.status >= 200 && notify.status < 300 ? 'other' : 'push_handler';
  }
}
