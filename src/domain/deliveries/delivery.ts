import type { CallEvent } from '../call-event.js';

/** One raw request recorded for a call's sid, as it was received. */
export interface Delivery {
  id: number;
  /** Unix milliseconds. */
  received_at: number;
  method: string;
  path: string;
  query: string;
  body: string | null;
  content_type: string | null;
  source_ip: string;
  /** What the delivery became: a stored call, a repeat of a stored version, or a new version. */
  result: 'accepted' | 'duplicate' | 'conflict';
}

/** A version of a call that arrived after the first with different content. */
export interface ConflictingVersion {
  id: number;
  /** Unix milliseconds. */
  received_at: number;
  raw_request_id: number;
  content_hash: string;
  /** The version as parsed, under LINE Planet's field names. */
  event: CallEvent;
  /** Field names whose values differ from the stored call (extra keys by their own name). */
  differs: string[];
}
