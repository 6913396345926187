import type { CallEvent } from '../../domain/call-event.js';
import { plural } from '../../domain/plural.js';
import type { ApiClient } from '../api-client.js';
import type { TruthCall } from '../ground-truth.js';
import { type CheckResult, checkResult, show, skipped } from './check-result.js';

const NAME = 'calls in the window';
/** Page size for walking the call list (the API's maximum). */
const LIST_PAGE = 1_000;

/** The setup_time window that holds every expected call: [from, to). */
export function truthWindow(calls: readonly TruthCall[]): { from: number; to: number } | null {
  if (calls.length === 0) return null;
  let from = Infinity;
  let to = -Infinity;
  for (const c of calls) {
    from = Math.min(from, c.fields.setup_time);
    to = Math.max(to, c.fields.setup_time + 1);
  }
  return { from, to };
}

/** A call in the window that the run did not send, as the API answered it (fields and status). */
export type OtherCall = Pick<TruthCall, 'fields' | 'expected'> & { sid: string };

/**
 * Lists the calls stored in the ground truth's setup_time window (GET /api/calls, else
 * the statistics summary's attempts; skips when neither exists) and names the calls this
 * run did not send. Those fail the check only when the run owns the database
 * (`exclusive`, which also compares the whole database's total); otherwise they are
 * earlier traffic, returned so that the statistics check can count them as stored.
 */
export async function checkStoredCount(
  calls: readonly TruthCall[],
  api: ApiClient,
  exclusive: boolean,
): Promise<{ result: CheckResult; others: OtherCall[] }> {
  const window = truthWindow(calls);
  if (window === null) return { result: skipped(NAME, 'no calls expected'), others: [] };
  const expected = new Set(calls.map((c) => c.sid));
  const filter = `from=${window.from}&to=${window.to}`;
  const listed = await listCalls(api, filter);
  if (listed.kind === 'error') return { result: checkResult(NAME, [listed.problem], 'the call list answered an error'), others: [] };
  if (listed.kind === 'absent') {
    const summary = await api.get(`/api/stats/summary?${filter}`);
    const attempts = (summary.body as { summary?: { attempts?: unknown } } | null)?.summary?.attempts;
    if (summary.status !== 200 || typeof attempts !== 'number') {
      return { result: skipped(NAME, 'the server has neither GET /api/calls nor GET /api/stats/summary'), others: [] };
    }
    const problems = attempts === expected.size ? [] : [`${plural(attempts, 'call')} stored in the window, ${expected.size} expected`];
    return { result: checkResult(NAME, problems, `${plural(attempts, 'call')} with setup_time in [${window.from}, ${window.to}), ${expected.size} expected (via the summary)`), others: [] };
  }
  const others = listed.items.filter((item) => !expected.has(item.sid));
  const fromRun = listed.items.length - others.length;
  const problems: string[] = [];
  if (exclusive) for (const other of others) problems.push(`${other.sid}: stored, but never sent as a valid call`);
  if (fromRun !== expected.size) problems.push(`${plural(fromRun, 'call')} of this run listed in the window, ${expected.size} expected`);
  let total = '';
  if (exclusive) {
    const all = await listCalls(api, '');
    if (all.kind === 'listed') {
      total = `; ${all.items.length} in total`;
      if (all.items.length !== expected.size) problems.push(`${plural(all.items.length, 'call')} in the whole database, ${expected.size} expected`);
    }
  }
  const range = `with setup_time in [${window.from}, ${window.to})`;
  const summary = exclusive || others.length === 0
    ? `${plural(listed.items.length, 'call')} ${range}, ${expected.size} expected${total}`
    : `${plural(fromRun, 'call')} of this run and ${plural(others.length, 'other call')} ${range} (earlier traffic: counted in the statistics, not judged; --exclusive fails on them)`;
  return { result: checkResult(NAME, problems, summary), others };
}

type Listed = { kind: 'listed'; items: OtherCall[] } | { kind: 'absent' } | { kind: 'error'; problem: string };

async function listCalls(api: ApiClient, filter: string): Promise<Listed> {
  const items: OtherCall[] = [];
  let cursor: string | null = null;
  do {
    const page = `/api/calls?${filter}${filter === '' ? '' : '&'}limit=${LIST_PAGE}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const answer = await api.get(page);
    if (answer.status === 404) return { kind: 'absent' };
    const body = answer.body as { items?: Array<CallEvent & { status: TruthCall['expected'] }>; next_cursor?: unknown } | null;
    if (answer.status !== 200 || !Array.isArray(body?.items)) {
      return { kind: 'error', problem: `GET ${page}: HTTP ${answer.status} ${show(answer.body).slice(0, 200)}` };
    }
    for (const item of body.items) items.push({ sid: String(item.sid), fields: item, expected: item.status });
    cursor = typeof body.next_cursor === 'string' ? body.next_cursor : null;
  } while (cursor !== null);
  return { kind: 'listed', items };
}
