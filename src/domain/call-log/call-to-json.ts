import type { CallEvent } from '../call-event.js';
import { classifyCall } from '../classify/classify-call.js';

/** A stored call as the call log reads it: the event plus what we know about its delivery. */
export interface LoggedCall extends CallEvent {
  /** Unix milliseconds of the first delivery. */
  received_at: number;
  conflicts: number;
  raw_request_id: number;
}

/**
 * The JSON form of a call: LINE Planet field names, typed values, and its status,
 * computed fresh by the current classifier (the stored columns only serve filters).
 */
export function callToJson(call: LoggedCall): Record<string, unknown> {
  const { received_at, ...rest } = call;
  const fields: Record<string, unknown> = { ...rest };
  for (const stored of ['outcome', 'ended_by', 'reason', 'reason_source', 'classifier_version']) delete fields[stored];
  return { ...fields, received_at: new Date(received_at).toISOString(), status: classifyCall(call) };
}
