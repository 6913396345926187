import { APP_DATA_KEYS, CALL_SIDES, type ErasureTarget, GROUP_PARTICIPANT_DATA_KEYS, groupSidesNamingTarget, sideNamesTarget } from '../../domain/privacy/erasure-target.js';
import { eraseTargetFromForm } from '../../domain/privacy/scrub-form.js';
import { NOTIFY_FIELDS } from '../../domain/notify.js';
import { canonicalizeFacts } from '../../domain/parse-keyed-callback.js';
import { canonicalizeGroupCallEvent } from '../../domain/canonical-group-call-event.js';
import type { CallbackRecord } from '../port.js';

/**
 * A spooled record without the target (the same rewrite as erasure in the database:
 * storage/sql/erase-steps.ts), or null when it does not name them.
 */
export function eraseTargetFromRecord(record: CallbackRecord, target: ErasureTarget, pseudonym: string): CallbackRecord | null {
  const query = eraseTargetFromForm(record.raw.query, target, pseudonym);
  const body = record.raw.body === null ? null : eraseTargetFromForm(record.raw.body, target, pseudonym);
  const rawNames = query.namesTarget || body?.namesTarget === true;
  const raw = rawNames ? { ...record.raw, query: query.text, body: body === null ? null : body.text, sourceIp: '' } : record.raw;
  if (record.kind === 'malformed') return rawNames ? { ...record, raw } : null;
  // An Agent Call Status names no user: only its raw request may need the rewrite.
  if (record.kind === 'agent-call-status') return rawNames ? { ...record, raw } : null;
  if (record.kind === 'notify') {
    const notify = record.notify as unknown as Record<string, unknown>;
    const sides = CALL_SIDES.filter((side) => sideNamesTarget((key) => notify[key], side, target));
    if (sides.length === 0 && !rawNames) return null;
    const erased: Record<string, unknown> = { ...notify };
    for (const side of sides) erased[side.user] = pseudonym;
    if (sides.length > 0) {
      for (const key of APP_DATA_KEYS) erased[key] = null;
      erased.param = '';
      erased.extra = {};
    }
    const notifyErased = erased as unknown as typeof record.notify;
    // The content hash stays (a late redelivery is still a duplicate), as in the database.
    return { ...record, raw, notify: notifyErased, content: canonicalizeFacts(notifyErased, NOTIFY_FIELDS) };
  }
  if (record.kind === 'group-call-event') {
    const event = record.groupEvent as unknown as Record<string, unknown>;
    const sides = groupSidesNamingTarget((key) => event[key], target);
    if (sides.length === 0 && !rawNames) return null;
    const erased: Record<string, unknown> = { ...event };
    for (const side of sides) erased[side.user] = pseudonym;
    if (sides.some((side) => side.user === 'user_id')) {
      for (const key of GROUP_PARTICIPANT_DATA_KEYS) erased[key] = null;
      erased.extra = {};
    }
    const groupEvent = erased as unknown as typeof record.groupEvent;
    // The content hash stays (a late redelivery is still a duplicate), as for a Notify.
    return { ...record, raw, groupEvent, content: canonicalizeGroupCallEvent(groupEvent) };
  }
  const event = record.event as unknown as Record<string, unknown>;
  const sides = CALL_SIDES.filter((side) => sideNamesTarget((key) => event[key], side, target));
  if (sides.length === 0 && !rawNames) return null;
  const erased: Record<string, unknown> = { ...event };
  for (const side of sides) {
    erased[side.user] = pseudonym;
    erased[side.ip] = '';
  }
  if (sides.length > 0) {
    for (const key of APP_DATA_KEYS) erased[key] = null;
    erased.extra = {};
  }
  return { ...record, raw, event: erased as unknown as typeof record.event };
}
