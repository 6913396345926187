import type { CallType } from '../call-event.js';
import type { GroupFlag, StayEnd, StayEndedBy, StayStatus } from './stay-status.js';

/** Where a room session is (docs/spec/group-calls.md §1.5). */
export type SessionState = 'ended' | 'in_progress' | 'end_missing';

/** A participant's media switch, from an `msc=M` event. */
export interface MediaChange {
  /** Unix milliseconds. */
  ts: number;
  media_type: CallType;
}

/** One participant's time in the room, from a join to a leave (docs/spec/group-calls.md §2). */
export interface ParticipantStay {
  user_svc_id: string;
  user_id: string;
  /** The first display_name the stay's events gave. */
  display_name: string | null;
  /** Device and media of the event that opened the stay. */
  ue_type: string;
  media_type: CallType;
  media_changes: MediaChange[];
  /** Unix milliseconds; null when the stay never joined. */
  joined_at: number | null;
  /** Unix milliseconds; null while in the room. */
  left_at: number | null;
  duration_ms: number | null;
  end: StayEnd;
  disconnect_reason: number | null;
  releaser_type: number | null;
  status: StayStatus;
  ended_by: StayEndedBy;
  /** The disconnect_reason's name, `unknown (N)`, or null. */
  reason: string | null;
  explanation: string;
  flags: GroupFlag[];
}

/** A group call: everything LINE Planet reported under one sid, rebuilt (docs/spec/group-calls.md §1). */
export interface GroupSession {
  sid: string;
  svc_id: string;
  id: string;
  host_svc_id: string;
  host_id: string;
  media_type: CallType;
  state: SessionState;
  /** Unix milliseconds (the first sc=S event's ts, else the first event's). */
  started_at: number;
  /** Unix milliseconds of the first sc=E event; null until it comes. */
  ended_at: number | null;
  duration_ms: number | null;
  /** Unix milliseconds after which a session without sc=E is end_missing; null once ended. */
  end_due_at: number | null;
  /** Distinct participants with a joined stay. */
  participants: number;
  /** The largest `online` any event reported. */
  peak_online: number;
  /** The `online` of the last event. */
  final_online: number;
  /** The most stays open at one instant, as rebuilt. */
  peak_stays: number;
  /** Distinct events (one per key). */
  event_count: number;
  stays: ParticipantStay[];
  flags: GroupFlag[];
  rules_version: number;
}

/** What the session's state depends on besides its events: the time is a parameter. */
export interface GroupClock {
  /** Unix milliseconds. */
  now: number;
  /** GROUP_END_DEADLINE: how long after its last event a session without sc=E is end_missing. */
  deadlineMs: number;
}
