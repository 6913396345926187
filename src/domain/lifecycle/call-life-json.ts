import type { AgentCallStatus } from '../agent-call-status.js';
import { callToJson, type LoggedCall } from '../call-log/call-to-json.js';
import type { Notify } from '../notify.js';
import { deliveryToJson } from '../deliveries/deliveries-json.js';
import type { Delivery } from '../deliveries/delivery.js';
import { lifecycleOf } from './call-lifecycle.js';
import { diagnosePushError } from './push-diagnosis.js';
import { buildTimeline } from './timeline.js';

/** A stored Notify or Agent Call Status, as the life reads it. */
interface KeyedFacts {
  received_at: number;
  raw_request_id: number;
  conflicts: number;
}

/** One sid's life as the storage port gives it (structurally: the domain imports no storage). */
export interface CallLifeFacts {
  sid: string;
  notify: (KeyedFacts & Notify) | null;
  agentCallStatus: (KeyedFacts & AgentCallStatus) | null;
  call: LoggedCall | null;
  relays: ReadonlyArray<{ attempted_at: number; outcome: string; status: number | null; latency_ms: number; error: string | null }>;
  deliveries: readonly Delivery[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * One sid's life as `GET /api/calls/:sid/lifecycle` answers it: where the call is
 * (lifecycle), what each callback said, the relay attempts, every delivery and relay in
 * time order, and, for a PUSH_ERROR, where it came from. Pure: the time is a parameter.
 */
export function callLifeToJson(life: CallLifeFacts, clock: { now: number; deadlineMs: number }): Record<string, unknown> {
  const lifecycle = lifecycleOf(
    { notifiedAt: life.notify?.received_at ?? null, endedAt: life.call?.received_at ?? null, setupTime: life.call?.setup_time ?? null },
    clock,
  );
  const keyed = (facts: (KeyedFacts & (Notify | AgentCallStatus)) | null) => (facts === null ? null : { ...facts, received_at: iso(facts.received_at) });
  const pushDiagnosis = life.call === null ? null : diagnosePushError({
    disconnect_reason: life.call.disconnect_reason,
    call_end_reason: life.call.call_end_reason,
    notifyReceived: life.notify !== null,
    relayOutcomes: life.relays.map((r) => r.outcome),
  });
  return {
    sid: life.sid,
    lifecycle: {
      ...lifecycle,
      notified_at: iso(lifecycle.notified_at),
      ended_at: iso(lifecycle.ended_at),
      end_due_at: iso(lifecycle.end_due_at),
    },
    notify: keyed(life.notify),
    agent_call_status: keyed(life.agentCallStatus),
    call: life.call === null ? null : callToJson(life.call),
    notify_relays: life.relays.map((r) => ({ ...r, attempted_at: iso(r.attempted_at) })),
    deliveries: life.deliveries.map(deliveryToJson),
    timeline: buildTimeline(life.deliveries, life.relays).map((e) => ({ ...e, at: iso(e.at) })),
    push_diagnosis: pushDiagnosis,
  };
}
