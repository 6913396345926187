import type { FieldProblem } from '../domain/call-event.js';
import { decodeBody, isSupportedBodyType } from '../domain/decode-body.js';
import { decodeQueryString } from '../domain/parse-query-string.js';
import type { CallbackRecord, RawRequest } from '../storage/port.js';
import { type KeyedCallbackKind, malformedRecord, toCallbackRecord, toGroupCallEventRecord, toKeyedCallbackRecord } from './receive-callback.js';

/** The HTTP status a refused delivery is answered with: bad fields, too large, wrong body type. */
export type RefusalStatus = 400 | 413 | 414 | 415;

/** What reading a raw request made of it, and the status a refusal is answered with. */
export interface ReadDelivery {
  record: CallbackRecord;
  refusal: RefusalStatus;
  /** The keys as decoded (a Notify relay passes them on); absent when the content was not read. */
  values?: ReadonlyMap<string, string>;
}

/** How one kind of callback turns its decoded keys (and any decoding problems) into a record. */
export type RecordMaker = (raw: RawRequest, values: ReadonlyMap<string, string>, problems: readonly FieldProblem[]) => CallbackRecord;

/** Reads a Call Event delivery from its raw request alone (see readCallbackRequest). */
export function readCallEventRequest(raw: RawRequest): ReadDelivery {
  return readCallbackRequest(raw, toCallbackRecord);
}

/** Reads a Notify or Agent Call Status delivery from its raw request alone (see readCallbackRequest). */
export function readKeyedCallbackRequest(kind: KeyedCallbackKind, raw: RawRequest): ReadDelivery {
  return readCallbackRequest(raw, (r, values, problems) => toKeyedCallbackRecord(kind, r, values, problems));
}

/** Reads a Group Call Event delivery from its raw request alone (see readCallbackRequest). */
export function readGroupCallEventRequest(raw: RawRequest): ReadDelivery {
  return readCallbackRequest(raw, toGroupCallEventRecord);
}

/**
 * Reads a delivery of any callback from its raw request alone: the query's keys, the body's
 * (a form or JSON), a key sent in both with different values as a problem. Live ingest
 * (callback-routes.ts), quarantine replay and rebuild all read deliveries through this
 * one function, so that a stored raw request gives the record its live delivery gave.
 */
export function readCallbackRequest(raw: RawRequest, toRecord: RecordMaker): ReadDelivery {
  const unread = raw.unreadReasons ?? null;
  if (unread !== null && unread.length > 0) {
    // Refused before its content was read (too large): the stored text is cut, so it is never parsed.
    return { record: malformedRecord(raw, [...unread]), refusal: unread[0]?.field === 'query' ? 414 : 413 };
  }
  const fromQuery = decodeQueryString(raw.query);
  const fromBody = raw.body === null ? null : decodeBody(raw.body, raw.contentType);
  const problems: FieldProblem[] = [...fromQuery.problems, ...(fromBody?.problems ?? [])];
  const values = new Map(fromQuery.values);
  for (const [key, value] of fromBody?.values ?? []) {
    if (values.has(key) && values.get(key) !== value) problems.push({ field: key, problem: 'differs between the query and the body' });
    values.set(key, value);
  }
  const refusal = raw.body !== null && raw.body !== '' && !isSupportedBodyType(raw.contentType) ? 415 : 400;
  // A body that cannot be read as a whole says nothing about its fields: report only that.
  if (fromBody?.problems.some((p) => p.field === 'body')) return { record: malformedRecord(raw, problems), refusal };
  return { record: toRecord(raw, values, problems), refusal, values };
}
