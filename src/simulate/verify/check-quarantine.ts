import type { ApiClient } from '../api-client.js';
import type { TruthMalformed } from '../ground-truth.js';
import { type CheckResult, checkResult, show, skipped } from './check-result.js';
import { plural } from '../../domain/plural.js';

const NAME = 'malformed requests quarantined';
const PAGE = 1_000;
/** Pages of quarantine read at most, newest first (a million entries). */
const MAX_PAGES = 1_000;

interface QuarantineItem {
  id: number;
  query: string;
  reasons: Array<{ field: string }>;
}

/**
 * Finds each malformed request that callevt answered in its quarantine (matched by the
 * exact query) and checks that the stored reasons name the broken fields.
 */
export async function checkQuarantine(malformed: readonly TruthMalformed[], api: ApiClient): Promise<CheckResult> {
  const answered = malformed.filter((m) => m.status !== null);
  if (answered.length === 0) return skipped(NAME, 'no malformed requests were sent');
  const wanted = new Map<string, TruthMalformed[]>();
  for (const m of answered) wanted.set(m.query, [...(wanted.get(m.query) ?? []), m]);
  const problems: string[] = [];
  let found = 0;
  let before: number | null = null;
  for (let page = 0; page < MAX_PAGES && found < answered.length; page++) {
    const path = `/api/quarantine?limit=${PAGE}${before === null ? '' : `&before=${before}`}`;
    const answer = await api.get(path);
    const body = answer.body as { items?: QuarantineItem[]; next_before?: unknown } | null;
    if (answer.status !== 200 || !Array.isArray(body?.items)) {
      return checkResult(NAME, [`GET ${path}: HTTP ${answer.status} ${show(answer.body).slice(0, 200)}`], 'the quarantine could not be read');
    }
    for (const item of body.items) {
      const match = wanted.get(item.query)?.pop();
      if (match === undefined) continue;
      found++;
      const named = new Set(item.reasons.map((r) => r.field));
      const missing = match.fields.filter((f) => !named.has(f));
      if (missing.length > 0) problems.push(`quarantine #${item.id} (${match.defect}): reasons do not name ${missing.join(', ')}`);
    }
    if (typeof body.next_before !== 'number') break;
    before = body.next_before;
  }
  for (const list of wanted.values()) {
    for (const m of list) problems.push(`${m.defect} request not in quarantine: ${m.query.slice(0, 120)}`);
  }
  return checkResult(NAME, problems, `${found}/${plural(answered.length, 'malformed request')} found with their reasons`);
}
