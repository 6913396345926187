/** Human labels for the API's values. */
import type { SessionState, StayStatus } from './api-types.js';

const OUTCOME_LABELS: Record<string, string> = {
  completed: 'Completed', dropped: 'Dropped', canceled: 'Canceled', rejected: 'Rejected', busy: 'Busy', no_answer: 'No answer', failed: 'Failed',
};
const ENDED_BY_LABELS: Record<string, string> = {
  caller: 'Caller', callee: 'Callee', server: 'Server', app_server: 'App server', participant: 'Participant', room_end: "The room's end", unknown: 'Unknown',
};

export function outcomeLabel(outcome: string): string {
  return OUTCOME_LABELS[outcome] ?? outcome;
}

export function endedByLabel(value: string): string {
  return ENDED_BY_LABELS[value] ?? value;
}

export function callTypeLabel(value: string): string {
  return value === 'A' ? 'Audio' : value === 'V' ? 'Video' : value;
}

/** The label of a breakdown value for its dimension. */
export function breakdownLabel(by: string, value: string | number | null): string {
  if (value === null) return '(none)';
  const text = String(value);
  if (by === 'outcome') return outcomeLabel(text);
  if (by === 'ended_by') return endedByLabel(text);
  if (by === 'type') return callTypeLabel(text);
  return text;
}

/** Stay statuses (docs/spec/group-calls.md §3.1) in the spec's order, with their labels: the compiler checks that every status has one. */
export const STAY_STATUS_LABELS: Readonly<Record<StayStatus, string>> = {
  completed: 'Completed', dropped: 'Dropped', timed_out: 'Timed out', kicked: 'Kicked', replaced: 'Replaced', failed_to_join: 'Failed to join', in_room: 'In room',
};
export const STAY_STATUSES = Object.keys(STAY_STATUS_LABELS) as StayStatus[];

/** Room session states (docs/spec/group-calls.md §1.5). */
export const SESSION_STATE_LABELS: Readonly<Record<SessionState, string>> = { ended: 'Ended', in_progress: 'In progress', end_missing: 'End missing' };
export const SESSION_STATES = Object.keys(SESSION_STATE_LABELS) as SessionState[];
