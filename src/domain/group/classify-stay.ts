import { DISCONNECT_REASON_ERROR_RANGES, DISCONNECT_REASONS, RELEASER_TYPES, type ReasonKind, unknownCodeName } from '../classify/release-codes.js';
import { explainStay } from './explain-stay.js';
import type { GroupFlag, StayEndedBy, StayFacts, StayStatus, StayVerdict } from './stay-status.js';

/** The disconnect_reason number of a name in the code table (docs/spec/callbacks.md §5.3): each number written once. */
function reasonCode(name: string): number {
  for (const [code, info] of DISCONNECT_REASONS) if (info.name === name) return code;
  throw new Error(`no disconnect_reason named ${name}`); // a typo here fails every test at load
}

const ALONE_KICK_OUT = reasonCode('ALONE_KICK_OUT');
const ANOTHER_INSTANCE_TRY_TO_JOIN = reasonCode('ANOTHER_INSTANCE_TRY_TO_JOIN');
/** releaser_type of the application server (a kick-out through the server API). */
const APP_SERVER = [...RELEASER_TYPES].find(([, info]) => info.endedBy === 'app_server')?.[0];

/**
 * The status of a participant stay (docs/spec/group-calls.md §3.3): the first rule that
 * applies decides. Pure and total: any facts give a verdict.
 *
 * @example classifyStay({ joined: true, end: 'D', disconnect_reason: 1402, releaser_type: 4, duration_ms: 60_000 }).status // 'kicked'
 */
export function classifyStay(stay: StayFacts): StayVerdict {
  const code = stay.disconnect_reason;
  const info = code === null ? undefined : DISCONNECT_REASONS.get(code);
  const kind = kindOf(code);
  const status = statusOf(stay, kind);
  const ended_by = endedByOf(stay);
  const reason = code === null ? null : (info?.name ?? unknownCodeName(code));
  const flags: GroupFlag[] = [];
  if (code !== null && info === undefined) flags.push({ code: 'unknown_code', message: `disconnect_reason=${code} is not a known code` });
  if (!stay.joined && kind === 'normal' && info !== undefined) {
    flags.push({ code: 'normal_reason_without_join', message: `disconnect_reason=${code} (${reason}) is a normal end, but the participant never joined: counted as failed_to_join` });
  }
  if (stay.joined && status === 'completed' && kind !== 'normal' && kind !== null) {
    flags.push({ code: 'user_reason_after_join', message: `disconnect_reason=${code} (${reason}) describes a call that was not answered, but the participant was in the room: counted as completed` });
  }
  const verdict = { status, ended_by, reason, flags };
  return { ...verdict, explanation: explainStay(stay, verdict, info?.meaning ?? 'a code this version does not know') };
}

/** The kind of a disconnect_reason; an unknown one is an error only in an error range; null when absent. */
function kindOf(code: number | null): ReasonKind | null {
  if (code === null) return null;
  const known = DISCONNECT_REASONS.get(code);
  if (known !== undefined) return known.kind;
  return DISCONNECT_REASON_ERROR_RANGES.some(([low, high]) => code >= low && code <= high) ? 'error' : 'normal';
}

function statusOf(stay: StayFacts, kind: ReasonKind | null): StayStatus {
  if (stay.end === 'open') return 'in_room';
  if (!stay.joined) return 'failed_to_join';
  if (stay.end === 'T') return 'timed_out';
  if (stay.disconnect_reason === ANOTHER_INSTANCE_TRY_TO_JOIN) return 'replaced';
  if (stay.disconnect_reason === ALONE_KICK_OUT || (APP_SERVER !== undefined && stay.releaser_type === APP_SERVER)) return 'kicked';
  return kind === 'error' ? 'dropped' : 'completed';
}

function endedByOf(stay: StayFacts): StayEndedBy {
  const named = stay.releaser_type === null ? 'unknown' : (RELEASER_TYPES.get(stay.releaser_type)?.endedBy ?? 'unknown');
  if (named !== 'unknown') return named;
  if (stay.end === 'T' || stay.disconnect_reason === ALONE_KICK_OUT || stay.disconnect_reason === ANOTHER_INSTANCE_TRY_TO_JOIN) return 'server';
  return stay.end === 'room_end' ? 'room_end' : 'unknown';
}
