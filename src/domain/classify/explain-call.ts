import type { ClassifierInput } from './classify-call.js';
import type { CallStatus } from './call-status.js';

const WHO: Record<CallStatus['ended_by'], string> = {
  caller: 'the caller',
  callee: 'the callee',
  server: 'the LINE Planet server',
  app_server: 'the application server',
  participant: 'a participant',
  unknown: 'an unknown party',
};

/** One plain sentence a support engineer can paste into a ticket. */
export function explainCall(
  call: ClassifierInput,
  status: Omit<CallStatus, 'explanation'>,
  reasonMeaning: string,
): string {
  const who = WHO[status.ended_by];
  const code = `${status.reason_source}=${codeOf(call, status.reason_source)} ${status.reason}`;
  const length = formatDuration(call.duration);
  switch (status.outcome) {
    case 'completed':
      if (!status.connected) {
        return `LINE Planet reported a normal end (${code}: ${reasonMeaning}), but nothing shows that the call connected (no start time, duration 0); released by ${who}.`;
      }
      return `The call connected, lasted ${length} and was ended normally by ${who} (${code}: ${reasonMeaning}).`;
    case 'dropped':
      return `The call connected, lasted ${length}, then was cut off by an error: ${reasonMeaning} (${code}); released by ${who}.`;
    case 'canceled':
      return `The call never connected: the caller gave up before the answer (${code}); released by ${who}.`;
    case 'rejected':
      return `The call never connected: the callee declined it (${code}); released by ${who}.`;
    case 'busy':
      return `The call never connected: the callee was busy (${code}: ${reasonMeaning}); released by ${who}.`;
    case 'no_answer':
      return `The call never connected: nobody answered in time (${code}); released by ${who}.`;
    case 'failed':
      return `The call never connected because of an error: ${reasonMeaning} (${code}); released by ${who}.`;
  }
}

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
