import type { StayFacts, StayVerdict } from './stay-status.js';

const WHO: Record<StayVerdict['ended_by'], string> = {
  caller: 'the caller',
  callee: 'the callee',
  participant: 'the participant',
  server: 'the LINE Planet server',
  app_server: 'the application server',
  room_end: "the room's end",
  unknown: 'an unknown party',
};

/**
 * One plain sentence about a stay that a support engineer can paste into a ticket
 * (docs/spec/group-calls.md §3). It never says a participant was in the room unless the
 * stay joined.
 */
export function explainStay(stay: StayFacts, verdict: Omit<StayVerdict, 'explanation'>, meaning: string): string {
  const who = WHO[verdict.ended_by];
  const code = stay.disconnect_reason === null ? null : `disconnect_reason=${stay.disconnect_reason} ${verdict.reason}`;
  const withCode = code === null ? '' : ` (${code}: ${meaning})`;
  const stayed = stay.duration_ms === null ? 'was in the room' : `was in the room for ${formatMs(stay.duration_ms)}`;
  switch (verdict.status) {
    case 'in_room':
      return 'The participant is in the room: no leave has been reported yet.';
    case 'failed_to_join':
      return `The participant never got into the room${stay.end === 'T' ? ': the join timed out (msc=T)' : ''}${withCode}; released by ${who}.`;
    case 'timed_out':
      return `The participant ${stayed}, then LINE Planet timed them out (msc=T)${withCode}; released by ${who}.`;
    case 'replaced':
      return `The participant ${stayed}, then joined again from another instance, which ended this stay${withCode}.`;
    case 'kicked':
      return `The participant ${stayed}, then was removed from the room by ${who}${withCode}.`;
    case 'dropped':
      return `The participant ${stayed}, then was cut off by an error${withCode}; released by ${who}.`;
    case 'completed':
      if (stay.end === 'room_end') return `The participant ${stayed} and stayed until the room ended (no leave was reported).`;
      if (stay.end === 'rejoin') return `The participant ${stayed}, then joined again before a leave was reported.`;
      return `The participant ${stayed} and left without error${withCode}; ended by ${who}.`;
  }
}

function formatMs(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h} h ${m} min ${s} s` : `${m} min ${s} s`;
}
