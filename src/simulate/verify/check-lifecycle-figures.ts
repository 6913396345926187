import type { ApiClient } from '../api-client.js';
import type { GroundTruth } from '../ground-truth.js';
import { type ExpectedLifecycleFigures, expectedLifecycleFigures, lifecycleWindow, sortedReasons } from '../lifecycle/expected-lifecycle-figures.js';
import { type CheckResult, checkResult, sameFigure, show, skipped } from './check-result.js';

const NAME = 'lifecycle figures';

/**
 * Compares `GET /api/stats/lifecycle` over a window holding the whole run with the figures
 * computed from the truth (counts and ratios exactly; latencies only present), after one
 * scrape of /metrics, which runs the end_missing sweep (docs/spec/outcomes.md §3). A server
 * without the route gets a skip ("not available on this server"); so does a window that
 * holds other traffic, unless the run owns the database (`judged`).
 */
export async function checkLifecycleFigures(truth: GroundTruth, api: ApiClient, judged: boolean): Promise<CheckResult> {
  const window = lifecycleWindow(truth.lives);
  if (window === null) return skipped(NAME, 'no calls expected');
  const path = `/api/stats/lifecycle?from=${window.from}&to=${window.to}`;
  // endMissing counts the notifies the end_missing sweep has flagged, and the sweep runs when
  // /metrics is scraped: scrape once, as Prometheus would, so that the lost ends are flagged.
  await api.get('/metrics');
  const answer = await api.get(path);
  if (answer.status === 404) return skipped(NAME, 'not available on this server (no GET /api/stats/lifecycle)');
  if (answer.status !== 200 || typeof answer.body !== 'object' || answer.body === null) {
    return checkResult(NAME, [`GET ${path}: HTTP ${answer.status} ${show(answer.body).slice(0, 200)}`], 'the figures could not be read');
  }
  if (!judged) return skipped(NAME, 'the window holds other traffic: run verify with --exclusive on a database of the run alone');
  const relayKnown = truth.meta.lifecycle?.push_handler ?? false;
  const expected = expectedLifecycleFigures(truth.lives, relayKnown);
  const problems = compareLifecycleFigures(expected, answer.body as Record<string, unknown>);
  const judgedCount = Object.keys(flatten(expected)).length;
  return checkResult(
    NAME,
    problems,
    `${judgedCount - problems.length}/${judgedCount} figures match over [${window.from}, ${window.to}) (notifies ${expected.notifies}, endMissing ${expected.endMissing}, pushFailures ${expected.pushFailures.total})` +
      (relayKnown ? '' : '; relay counts not judged (no stand-in push handler)'),
  );
}

/** Every mismatch between the expected figures and the server's answer, plus latencies that are missing. Pure. */
export function compareLifecycleFigures(expected: ExpectedLifecycleFigures, got: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const want = flatten(expected);
  if (expected.relay === null) delete want.relay;
  const have = flatten({
    ...got,
    agentCallStatus: { ...(got.agentCallStatus as object), byFailReason: reasonsOf((got.agentCallStatus as { byFailReason?: unknown } | undefined)?.byFailReason) },
  });
  for (const [key, value] of Object.entries(want)) {
    if (!sameFigure(value, have[key])) problems.push(`${key}: expected ${show(value)}, got ${show(have[key])}`);
  }
  for (const key of ['relay.latencyMs.p50', 'relay.latencyMs.p99', 'setupToNotifyMs.p50', 'setupToNotifyMs.p99']) {
    const parent = key.slice(0, key.lastIndexOf('.'));
    const present = key in have ? have[key] === null || typeof have[key] === 'number' : parent in have && have[parent] === null;
    if (!present) problems.push(`${key}: missing (expected a number or null)`);
  }
  return problems;
}

/** The server's fail reasons in the order expected ones are written, so that the two compare as one value. */
function reasonsOf(list: unknown): string {
  if (!Array.isArray(list)) return show(list);
  const map = new Map<string, number>();
  for (const item of list as Array<{ failReason?: unknown; count?: unknown }>) map.set(String(item.failReason), Number(item.count));
  return show(sortedReasons(map));
}

/** `{ a: { b: 1 } }` → `{ 'a.b': 1 }`; arrays (the fail reasons) become one JSON value. */
function flatten(value: object, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = `${prefix}${key}`;
    if (Array.isArray(v)) out[name] = show(v);
    else if (v !== null && typeof v === 'object') Object.assign(out, flatten(v, `${name}.`));
    else out[name] = v;
  }
  return out;
}

