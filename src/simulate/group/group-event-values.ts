import { GROUP_CALL_EVENT_FIELDS, type GroupCallEvent, LEGACY_MEDIA_TYPE_KEY } from '../../domain/group-call-event.js';

/** The two shapes LINE Planet has sent a Group Call Event in (docs/spec/callbacks.md §2.2). */
export type GroupEventShape = 'current' | 'legacy';

/**
 * The keys LINE Planet sends for a group event, null fields left out: in the current
 * shape as stored; in the 2020 shape with setup_time, start_time and end_time in
 * milliseconds (`extraMs` added to each that is not 0) and `mediaType` for `media_type`.
 * Parsing either gives the event back.
 *
 * @example groupEventValues(event, 'legacy').mediaType === event.media_type // true
 */
export function groupEventValues(event: GroupCallEvent, shape: GroupEventShape = 'current', extraMs = 0): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of GROUP_CALL_EVENT_FIELDS) {
    const value = event[field];
    if (value === null) continue;
    if (shape === 'current') values[field] = String(value);
    else if (field === 'media_type') values[LEGACY_MEDIA_TYPE_KEY] = String(value);
    else if ((field === 'setup_time' || field === 'start_time' || field === 'end_time') && value !== 0) values[field] = String((value as number) * 1000 + extraMs);
    else values[field] = String(value);
  }
  return Object.assign(values, event.extra);
}
