/** Human labels for the API's values. */

const OUTCOME_LABELS: Record<string, string> = {
  completed: 'Completed', dropped: 'Dropped', canceled: 'Canceled', rejected: 'Rejected', busy: 'Busy', no_answer: 'No answer', failed: 'Failed',
};
const ENDED_BY_LABELS: Record<string, string> = {
  caller: 'Caller', callee: 'Callee', server: 'Server', app_server: 'App server', participant: 'Participant', unknown: 'Unknown',
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
