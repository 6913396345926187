import type { CallType } from '../call-event.js';
import type { Outcome } from '../classify/call-status.js';
import type { EndedBy } from '../classify/release-codes.js';

/**
 * The figures of docs/spec/outcomes.md §2, under the exact JSON key names of the API.
 * Ratios are fractions in [0, 1]; a zero denominator gives null, never NaN or 0.
 */
export interface Figures {
  attempts: number;
  completed: number;
  dropped: number;
  canceled: number;
  rejected: number;
  busy: number;
  no_answer: number;
  failed: number;
  answered: number;
  asr: number | null;
  ner: number | null;
  drop_rate: number | null;
  acd_sec: number | null;
  total_duration_sec: number;
  total_billing_sec: number;
  short_call_ratio: number | null;
  duration_p50_sec: number | null;
  duration_p90_sec: number | null;
  duration_p99_sec: number | null;
  tta_p50_sec: number | null;
  tta_p90_sec: number | null;
  peak_concurrency: number;
}

/** The figure keys in the order the spec lists them (tables and CSV use this order). */
export const FIGURE_KEYS = [
  'attempts', 'completed', 'dropped', 'canceled', 'rejected', 'busy', 'no_answer', 'failed', 'answered',
  'asr', 'ner', 'drop_rate', 'acd_sec', 'total_duration_sec', 'total_billing_sec', 'short_call_ratio',
  'duration_p50_sec', 'duration_p90_sec', 'duration_p99_sec', 'tta_p50_sec', 'tta_p90_sec', 'peak_concurrency',
] as const satisfies ReadonlyArray<keyof Figures>;

/** A call shorter than this many seconds (answered) counts as a short call. */
export const SHORT_CALL_SEC = 10;

/** The fields of a stored call that statistics read (StoredCall has them all). */
export interface StatsCall {
  setup_time: number;
  start_time: number;
  end_time: number;
  duration: number;
  billing_sec: number | null;
  outcome: Outcome;
  reason: string;
  terminate: number;
  ended_by: EndedBy;
  type: CallType;
  from_service_id: string;
  to_service_id: string;
  from_user_id: string;
  to_user_id: string;
}

/** Whether a call was answered in the spec's sense: completed or dropped. */
export function isAnswered(call: Pick<StatsCall, 'outcome'>): boolean {
  return call.outcome === 'completed' || call.outcome === 'dropped';
}

/** a / b, or null when b is 0. */
export function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}
