/**
 * The parts of the call page that come from the call's deliveries: the callback exactly
 * as received, the list of deliveries, and each conflicting version with the fields that
 * differ from the stored call highlighted. Reads GET /api/calls/:sid/deliveries and /conflicts.
 */
import { apiGet } from '../api.js';
import { CALL_FIELDS, type CallJson, type ConflictJson, type DeliveryJson } from '../api-types.js';
import { definitionTable, h } from '../dom.js';
import { formatTime, NO_VALUE } from '../format.js';

export interface CallHistory {
  deliveries: DeliveryJson[];
  conflicts: ConflictJson[];
}

/** Fetches a call's deliveries and conflicting versions together. */
export async function fetchCallHistory(sid: string, signal: AbortSignal): Promise<CallHistory> {
  const path = `/api/calls/${encodeURIComponent(sid)}`;
  const [deliveries, conflicts] = await Promise.all([
    apiGet<{ items: DeliveryJson[] }>(`${path}/deliveries`, {}, signal),
    apiGet<{ items: ConflictJson[] }>(`${path}/conflicts`, {}, signal),
  ]);
  return { deliveries: deliveries.items, conflicts: conflicts.items };
}

const RESULT_BADGE: Record<DeliveryJson['result'], string> = { accepted: 'completed', duplicate: '', conflict: 'busy' };

/** The callback that created the call, byte for byte: its query string, and its body for a POST. */
export function rawCallbackSection(call: CallJson, history: CallHistory, rebuilt: string): HTMLElement {
  const first = history.deliveries.find((d) => d.id === call.raw_request_id) ?? history.deliveries[0];
  if (first === undefined) {
    return h('section', { class: 'card' }, h('h2', {}, 'Callback'),
      h('p', { class: 'muted small' }, `The raw request ${call.raw_request_id} is no longer stored (pruned); these are the call's keys rebuilt from the stored values.`),
      h('pre', { class: 'raw', 'data-testid': 'callback-rebuilt' }, rebuilt));
  }
  return h('section', { class: 'card' }, h('h2', {}, 'Callback'),
    h('p', { class: 'muted small' }, `Exactly as received: ${first.method} ${first.path} from ${first.source_ip} (raw request ${first.id}).`),
    h('h3', {}, 'Query string'),
    first.query === '' ? h('p', { class: 'muted' }, 'empty') : h('pre', { class: 'raw', 'data-testid': 'callback-query' }, first.query),
    first.body === null ? null : h('h3', {}, `Body${first.content_type === null ? '' : ` (${first.content_type})`}`),
    first.body === null ? null : h('pre', { class: 'raw', 'data-testid': 'callback-body' }, first.body));
}

/** Every delivery of the sid, oldest first. */
export function deliveriesSection(history: CallHistory, tz: string): HTMLElement {
  const rows = history.deliveries.map((d) => h('tr', { 'data-id': d.id, 'data-result': d.result },
    h('td', {}, receivedText(d.received_at, tz)),
    h('td', {}, h('span', { class: `badge ${RESULT_BADGE[d.result]}`, 'data-col': 'result' }, d.result)),
    h('td', { 'data-col': 'source' }, d.source_ip),
    h('td', {}, h('code', {}, `${d.method} ${d.path}`)),
    h('td', { class: 'num' }, String(d.id))));
  return h('section', { class: 'card' }, h('h2', {}, `Deliveries (${history.deliveries.length})`),
    h('p', { class: 'muted small' }, 'Every request that carried this sid: the first (accepted), identical repeats (duplicate) and different versions (conflict).'),
    h('table', { class: 'data', 'data-testid': 'deliveries' },
      h('thead', {}, h('tr', {}, ...['Received', 'Result', 'Source', 'Request', 'Raw request'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...rows)));
}

/** Each conflicting version: every field beside the stored value, the differing ones highlighted. */
export function conflictsSection(call: CallJson, history: CallHistory, tz: string): HTMLElement {
  if (history.conflicts.length === 0) {
    return h('section', { class: 'card' }, h('h2', {}, 'Conflicting versions'),
      h('p', { class: 'muted', 'data-testid': 'no-conflicts' }, 'None: every later delivery of this sid was identical to the first.'));
  }
  return h('section', { class: 'card' }, h('h2', {}, `Conflicting versions (${history.conflicts.length})`),
    h('p', { class: 'muted small' }, 'Versions of this sid that arrived after the first with different values. The call keeps the first version; highlighted fields differ from it.'),
    ...history.conflicts.map((c, i) => h('article', { 'data-testid': 'conflict', 'data-id': c.id },
      h('h3', {}, `Version ${i + 2}, received ${receivedText(c.received_at, tz)} (raw request ${c.raw_request_id})`),
      definitionTable([['Differs', c.differs.length === 0 ? NO_VALUE : c.differs.join(', ')]], { 'data-testid': 'differs' }),
      versionTable(call, c))));
}

function versionTable(call: CallJson, conflict: ConflictJson): HTMLElement {
  const differs = new Set(conflict.differs);
  const extraKeys = [...new Set([...Object.keys(call.extra), ...Object.keys(conflict.event.extra)])].sort();
  const fields: Array<[string, unknown, unknown]> = [
    ...CALL_FIELDS.map((f): [string, unknown, unknown] => [f, call[f], conflict.event[f]]),
    ...extraKeys.map((k): [string, unknown, unknown] => [k, call.extra[k], conflict.event.extra[k]]),
  ];
  const cell = (value: unknown, highlight: boolean) => {
    const text = value === null || value === undefined ? 'absent' : String(value);
    return h('td', {}, highlight ? h('mark', {}, text) : text);
  };
  return h('table', { class: 'data' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Stored (first)'), h('th', { scope: 'col' }, 'This version'))),
    h('tbody', {}, ...fields.map(([field, stored, other]) => {
      const differ = differs.has(field);
      return h('tr', { 'data-field': field, ...(differ ? { 'data-differs': 'true' } : {}) },
        h('th', { scope: 'row' }, differ ? h('mark', {}, field) : field), cell(stored, differ), cell(other, differ));
    })));
}

function receivedText(iso: string, tz: string): string {
  const ms = Date.parse(iso);
  return `${formatTime(Math.floor(ms / 1000), tz)}.${String(ms % 1000).padStart(3, '0')}`;
}
