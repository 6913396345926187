import { CALL_EVENT_FIELDS, CALL_FIELDS, type CallEvent } from '../../domain/call-event.js';
import type { StoredClassification } from '../port.js';
import type { ColumnType } from './sql-dialect.js';

/** A column of the calls table and its type. */
export interface CallColumn {
  readonly name: string;
  readonly column: ColumnType;
}

/**
 * The columns of calls that are not fields of the event, in table order: what callevt
 * knows of the call besides what LINE Planet sent (its first delivery, its conflicts, its
 * stored classification).
 */
export const CALL_FACT_COLUMNS = [
  { name: 'extra', column: 'text' },
  { name: 'content_hash', column: 'text' },
  { name: 'received_at', column: 'int64' },
  { name: 'raw_request_id', column: 'int64' },
  { name: 'conflicts', column: 'int32' },
  { name: 'outcome', column: 'text' },
  { name: 'ended_by', column: 'text' },
  { name: 'reason', column: 'text' },
  { name: 'reason_source', column: 'text' },
  { name: 'classifier_version', column: 'int32' },
] as const satisfies readonly CallColumn[];

/** Every column of a calls row but its id, in table order: the event's fields (CALL_FIELDS), then the facts. */
export const CALL_INSERT_COLUMNS = [...CALL_FIELDS, ...CALL_FACT_COLUMNS] as const satisfies readonly CallColumn[];

/** The name of a calls column but its id. */
export type CallColumnName = (typeof CALL_INSERT_COLUMNS)[number]['name'];

/** What a new calls row holds besides the event. */
export interface NewCallFacts {
  contentHash: string;
  receivedAt: number;
  rawRequestId: number;
  classification: StoredClassification;
}

/**
 * The values of a new calls row, in CALL_INSERT_COLUMNS order. `text` adapts the
 * `extra` JSON for a database that cannot store every character (PostgreSQL and U+0000).
 */
export function newCallValues(event: CallEvent, facts: NewCallFacts, text: (value: string) => string = (value) => value): unknown[] {
  const c = facts.classification;
  const values: unknown[] = CALL_EVENT_FIELDS.map((name) => event[name]);
  values.push(text(JSON.stringify(event.extra)), facts.contentHash, facts.receivedAt, facts.rawRequestId, 0,
    c.outcome, c.ended_by, c.reason, c.reason_source, c.classifier_version);
  return values;
}
