import type { CallEvent } from '../../domain/call-event.js';
import { PUSH_ERROR_CALL_END_REASON, PUSH_ERROR_DISCONNECT_REASON } from '../../domain/lifecycle/push-diagnosis.js';
import { toQueryString } from '../callback-query.js';
import type { SimulatedCall } from '../generate-call.js';
import type { Random } from '../random.js';
import type { LifecycleOptions } from './lifecycle-options.js';
import { choosePushHandling, RELAY_OUTCOME_OF } from './push-handler-choice.js';

/** How one call's life goes, drawn before it starts (what depends on callevt's answers comes later). */
export interface LifePlan {
  /**
   * `sent` at setup; `undeliverable`: LINE Planet could not deliver it (the call fails
   * with PUSH_ERROR); `before_window`: a late call, notified long before this run.
   */
  notify: 'sent' | 'undeliverable' | 'before_window';
  /** base64 data for the callee's SDK (`param`, relayed as `cc_param`). */
  param: string;
  /** The relay outcome callevt must record, when the stand-in push handler runs. */
  expectedRelay: 'ok' | 'http_error' | 'timeout' | null;
  /** An Agent Call Status follows the Notify; `Success` is the docs' own spelling of SUCCESS. */
  agentCallStatus: { successSpelling: 'SUCCESS' | 'Success' } | null;
  /** LINE Planet never sends the end event. */
  lostEnd: boolean;
}

/** Share of successful Agent Call Statuses spelled `Success`, as the documentation's example does. */
const MIXED_CASE_SUCCESS_SHARE = 0.25;
/** Bytes of random data in `param` before base64. */
const PARAM_BYTES = 48;

/**
 * Draws one call's life. Pure; `random` is the run's lifecycle stream (apart from the
 * traffic's, so that turning the lifecycle on does not change the calls themselves).
 */
export function drawLifePlan(random: Random, call: SimulatedCall, options: LifecycleOptions, seed: string): LifePlan {
  const undeliverable = random.chance(options.undeliverableNotifyShare);
  const acs = random.chance(options.agentCallStatusShare);
  const mixedCase = random.chance(MIXED_CASE_SUCCESS_SHARE);
  const lostEnd = random.chance(options.lostEndShare);
  const bytes = new Uint8Array(PARAM_BYTES);
  for (let i = 0; i < bytes.length; i++) bytes[i] = random.int(0, 255);
  const notify = call.late ? 'before_window' : undeliverable ? 'undeliverable' : 'sent';
  return {
    notify,
    param: Buffer.from(bytes).toString('base64'),
    expectedRelay: notify === 'sent' && options.pushHandler !== null
      ? RELAY_OUTCOME_OF[choosePushHandling(seed, call.event.sid, options.pushHandler)]
      : null,
    agentCallStatus: acs && !call.late ? { successSpelling: mixedCase ? 'Success' : 'SUCCESS' } : null,
    // A late call's end did arrive (late): that is the point of it.
    lostEnd: lostEnd && !call.late,
  };
}

/** The Notify LINE Planet sends at setup (docs/spec/callbacks.md §3), as a query string. */
export function notifyQuery(event: CallEvent, param: string): string {
  const pairs: Array<[string, string]> = [
    ['sid', event.sid],
    ['from_service_id', event.from_service_id],
    ['from_user_id', event.from_user_id],
    ['to_service_id', event.to_service_id],
    ['to_user_id', event.to_user_id],
    ['type', event.type],
    ['param', param],
  ];
  if (event.stid !== null) pairs.push(['stid', event.stid]);
  if (event.app_svr_data !== null) pairs.push(['app_svr_data', event.app_svr_data]);
  return toQueryString(pairs);
}

/** The Agent Call Status of a server-placed call (docs/spec/callbacks.md §4), as a query string. */
export function agentCallStatusQuery(sid: string, result: string, failReason: string): string {
  return toQueryString([
    ['sid', sid],
    ['agent_type', 'AUDIO_CALLER'],
    ['media_source_type', 'STORED_SOURCE'],
    ['result', result],
    ['fail_reason', failReason],
  ]);
}

/** The same call moved in time so that it was set up at `setupSec` (Unix seconds): durations are kept. */
export function rebaseCall(event: CallEvent, setupSec: number): CallEvent {
  const shift = setupSec - event.setup_time;
  return {
    ...event,
    setup_time: event.setup_time + shift,
    start_time: event.start_time > 0 ? event.start_time + shift : 0,
    end_time: event.end_time + shift,
  };
}

/** VoIP server named as releaser of a legacy PUSH_ERROR call. */
const PUSH_ERROR_RELEASER = 'voip-a01.planet.example';

/**
 * The call as LINE Planet reports it when its Notify failed: never connected, released
 * by the cloud server with 1302 PUSH_ERROR (legacy: 1020), a second after setup
 * (docs/spec/callbacks.md §3, §5.3, §5.4).
 */
export function pushErrorVersion(event: CallEvent): CallEvent {
  const legacy = event.call_end_reason !== null;
  return {
    ...event,
    start_time: 0,
    end_time: event.setup_time + 1,
    duration: 0,
    billing_sec: legacy ? null : 0,
    terminate: 127,
    disconnect_reason: legacy ? null : PUSH_ERROR_DISCONNECT_REASON,
    releaser_type: legacy ? null : 4,
    call_end_reason: legacy ? PUSH_ERROR_CALL_END_REASON : null,
    releaser: legacy ? PUSH_ERROR_RELEASER : null,
    rel_code: 9,
    rel_code_str: 'PUSH_ERROR',
    user_rel_code: null,
  };
}
