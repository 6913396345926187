import { type ExpectedFigures, JUDGED_FIGURES, expectedFigures } from '../expected-figures.js';
import type { ApiClient } from '../api-client.js';
import type { TruthCall } from '../ground-truth.js';
import { type CheckResult, checkResult, sameFigure, show, skipped } from './check-result.js';
import { type OtherCall, truthWindow } from './check-stored-count.js';
import { plural } from '../../domain/plural.js';

const NAME = 'statistics summary';

/**
 * Compares GET /api/stats/summary over the ground truth's window with the figures
 * computed from the ground truth itself, plus the calls in the window that other
 * traffic stored (as the server lists them). Percentiles are shown, not judged (see
 * JUDGED_FIGURES).
 */
export async function checkSummary(
  calls: readonly TruthCall[],
  api: ApiClient,
  others: readonly OtherCall[] = [],
): Promise<{ result: CheckResult; notes: string[] }> {
  const window = truthWindow(calls);
  if (window === null) return { result: skipped(NAME, 'no calls expected'), notes: [] };
  const answer = await api.get(`/api/stats/summary?from=${window.from}&to=${window.to}`);
  if (answer.status === 404) return { result: skipped(NAME, 'the server has no GET /api/stats/summary yet'), notes: [] };
  const summary = (answer.body as { summary?: Record<string, unknown> } | null)?.summary;
  if (answer.status !== 200 || summary === undefined) {
    return { result: checkResult(NAME, [`HTTP ${answer.status} ${show(answer.body).slice(0, 200)}`], 'the summary could not be read'), notes: [] };
  }
  const expected = expectedFigures([...calls, ...others]);
  const problems: string[] = [];
  for (const key of JUDGED_FIGURES) {
    if (!sameFigure(expected[key], summary[key])) problems.push(`${key}: expected ${show(expected[key])}, got ${show(summary[key])}`);
  }
  const notes = (Object.keys(expected) as Array<keyof ExpectedFigures>)
    .filter((key) => !(JUDGED_FIGURES as readonly string[]).includes(key))
    .map((key) => `${key}: ground truth ${show(expected[key])}, server ${show(summary[key])}`);
  return {
    result: checkResult(
      NAME,
      problems,
      `${JUDGED_FIGURES.length - problems.length}/${JUDGED_FIGURES.length} figures match (attempts ${expected.attempts}, asr ${round(expected.asr)}, ner ${round(expected.ner)})` +
        (others.length === 0 ? '' : `, over this run's calls and the ${plural(others.length, 'other call')} as stored`),
    ),
    notes,
  };
}

function round(n: number | null): string {
  return n === null ? 'null' : n.toFixed(4);
}
