import type { Inconsistency } from '../classify/call-status.js';
import type { EndedBy } from '../classify/release-codes.js';

/**
 * The revision of docs/spec/group-calls.md the code follows. Bump it whenever a rule
 * changes: stored sessions built by an older revision are then rebuilt.
 */
export const GROUP_RULES_VERSION = 1;

/** The statuses of a participant stay (docs/spec/group-calls.md §3.1). */
export const STAY_STATUSES = ['completed', 'dropped', 'timed_out', 'kicked', 'replaced', 'failed_to_join', 'in_room'] as const;
/** One of STAY_STATUSES. */
export type StayStatus = (typeof STAY_STATUSES)[number];

/** How a stay ended: by the participant's `msc`, their next connect, the session's end, or not yet (§2). */
export const STAY_ENDS = ['D', 'T', 'rejoin', 'room_end', 'open'] as const;
/** One of STAY_ENDS. */
export type StayEnd = (typeof STAY_ENDS)[number];

/** Who ended a stay: a party of `releaser_type`, or the session's end (§3.3). */
export type StayEndedBy = EndedBy | 'room_end';

/** A remark on a stay or a session: signals that disagree or are missing. Never a reason to refuse. */
export type GroupFlag = Inconsistency;

/** What a stay's status depends on (docs/spec/group-calls.md §3). */
export interface StayFacts {
  /** A connect or media-change event opened the stay (§3.2). */
  joined: boolean;
  end: StayEnd;
  disconnect_reason: number | null;
  releaser_type: number | null;
  /** left_at − joined_at, for the explanation; null when either is unknown. */
  duration_ms: number | null;
}

/** A stay's status and everything said about it. */
export interface StayVerdict {
  status: StayStatus;
  ended_by: StayEndedBy;
  /** The disconnect_reason's name, or `unknown (N)`; null when the end carried none. */
  reason: string | null;
  explanation: string;
  flags: GroupFlag[];
}
