import type { ApiClient } from '../api-client.js';
import type { TruthCall } from '../ground-truth.js';
import { type CheckResult, checkResult, show, skipped } from './check-result.js';

const NAME = 'nothing else stored';
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

/**
 * Counts the calls stored in the ground truth's setup_time window (and, when the run owns
 * the database, in total) and names calls that nobody sent. Uses the call list
 * (GET /api/calls), else the statistics summary's attempts; skips when neither exists.
 */
export async function checkStoredCount(calls: readonly TruthCall[], api: ApiClient, exclusive: boolean): Promise<CheckResult> {
  const window = truthWindow(calls);
  if (window === null) return skipped(NAME, 'no calls expected');
  const expected = new Set(calls.map((c) => c.sid));
  const filter = `from=${window.from}&to=${window.to}`;
  const listed = await listSids(api, filter);
  if (listed.kind === 'error') return checkResult(NAME, [listed.problem], 'the call list answered an error');
  if (listed.kind === 'absent') {
    const summary = await api.get(`/api/stats/summary?${filter}`);
    const attempts = (summary.body as { summary?: { attempts?: unknown } } | null)?.summary?.attempts;
    if (summary.status !== 200 || typeof attempts !== 'number') {
      return skipped(NAME, 'the server has neither GET /api/calls nor GET /api/stats/summary');
    }
    const problems = attempts === expected.size ? [] : [`${attempts} calls stored in the window, ${expected.size} expected`];
    return checkResult(NAME, problems, `${attempts} calls with setup_time in [${window.from}, ${window.to}), ${expected.size} expected (via the summary)`);
  }
  const problems: string[] = [];
  const unexpected = listed.sids.filter((sid) => !expected.has(sid));
  for (const sid of unexpected) problems.push(`${sid}: stored, but never sent as a valid call`);
  if (listed.sids.length !== expected.size && unexpected.length === 0) {
    problems.push(`${listed.sids.length} calls stored in the window, ${expected.size} expected`);
  }
  let total = '';
  if (exclusive) {
    const all = await listSids(api, '');
    if (all.kind === 'listed') {
      total = `; ${all.sids.length} in total`;
      if (all.sids.length !== expected.size) problems.push(`${all.sids.length} calls in the whole database, ${expected.size} expected`);
    }
  }
  return checkResult(NAME, problems, `${listed.sids.length} calls with setup_time in [${window.from}, ${window.to}), ${expected.size} expected${total}`);
}

type Listed = { kind: 'listed'; sids: string[] } | { kind: 'absent' } | { kind: 'error'; problem: string };

async function listSids(api: ApiClient, filter: string): Promise<Listed> {
  const sids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = `/api/calls?${filter}${filter === '' ? '' : '&'}limit=${LIST_PAGE}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const answer = await api.get(page);
    if (answer.status === 404) return { kind: 'absent' };
    const body = answer.body as { items?: Array<{ sid?: unknown }>; next_cursor?: unknown } | null;
    if (answer.status !== 200 || !Array.isArray(body?.items)) {
      return { kind: 'error', problem: `GET ${page}: HTTP ${answer.status} ${show(answer.body).slice(0, 200)}` };
    }
    for (const item of body.items) sids.push(String(item.sid));
    cursor = typeof body.next_cursor === 'string' ? body.next_cursor : null;
  } while (cursor !== null);
  return { kind: 'listed', sids };
}
