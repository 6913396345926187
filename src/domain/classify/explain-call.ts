import type { CallStatus } from './call-status.js';
import type { ClassifierInput } from './classify-call.js';
import type { ReasonKind } from './release-codes.js';

const WHO: Record<CallStatus['ended_by'], string> = {
  caller: 'the caller',
  callee: 'the callee',
  server: 'the LINE Planet server',
  app_server: 'the application server',
  participant: 'a participant',
  unknown: 'an unknown party',
};

/** What the explanation needs of the decisive code besides the status. */
export interface DecisiveReason {
  kind: ReasonKind;
  meaning: string;
}

/**
 * One plain sentence a support engineer can paste into a ticket. It never contradicts
 * `connected`: a call without talk time "never connected", whatever its codes say.
 */
export function explainCall(call: ClassifierInput, status: Omit<CallStatus, 'explanation'>, decisive: DecisiveReason): string {
  const who = WHO[status.ended_by];
  const code = `${status.reason_source}=${codeOf(call, status.reason_source)} ${status.reason}`;
  const length = formatDuration(call.duration);
  const meaning = decisive.meaning;
  if (!status.connected && decisive.kind === 'normal') {
    return `The call never connected (no talk time), although LINE Planet reported a normal end (${code}: ${meaning}); ${UNCONNECTED_NORMAL[status.outcome] ?? 'it was not answered'}, released by ${who}.`;
  }
  switch (status.outcome) {
    case 'completed':
      if (decisive.kind !== 'normal') {
        return `The call connected and lasted ${length}, so it counts as answered, although LINE Planet reported ${code} (${meaning}); ended by ${who}.`;
      }
      return `The call connected, lasted ${length} and was ended normally by ${who} (${code}: ${meaning}).`;
    case 'dropped':
      return `The call connected, lasted ${length}, then was cut off by an error: ${meaning} (${code}); released by ${who}.`;
    case 'canceled':
      return `The call never connected: the caller gave up before the answer (${code}); released by ${who}.`;
    case 'rejected':
      return `The call never connected: the callee declined it (${code}); released by ${who}.`;
    case 'busy':
      return `The call never connected: the callee was busy (${code}: ${meaning}); released by ${who}.`;
    case 'no_answer':
      return `The call never connected: nobody answered in time (${code}); released by ${who}.`;
    case 'failed':
      return `The call never connected because of an error: ${meaning} (${code}); released by ${who}.`;
  }
}

/** Rule 3a's outcomes, said as what happened. */
const UNCONNECTED_NORMAL: Partial<Record<CallStatus['outcome'], string>> = {
  canceled: 'the caller ended it before the answer, so it counts as canceled',
  rejected: 'the callee ended it without answering, so it counts as rejected',
  no_answer: 'nobody answered before it ended, so it counts as no answer',
};

function codeOf(call: ClassifierInput, source: CallStatus['reason_source']): number | null {
  return call[source];
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h} h ${m} min ${s} s` : `${m} min ${s} s`;
}
