/** The result of one verification check. */
export interface CheckResult {
  name: string;
  status: 'pass' | 'fail' | 'skip';
  /** One line: what was compared and how many matched. */
  summary: string;
  /** Each mismatch found (the report shows the first few). */
  problems: string[];
}

export function checkResult(name: string, problems: string[], summary: string): CheckResult {
  return { name, status: problems.length === 0 ? 'pass' : 'fail', summary, problems };
}

export function skipped(name: string, summary: string): CheckResult {
  return { name, status: 'skip', summary, problems: [] };
}

/** Runs `task` over `items` with at most `limit` running at once, keeping order. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A value for a report line: JSON, so that null, strings and numbers read unambiguously. */
export function show(value: unknown): string {
  return JSON.stringify(value) ?? 'undefined';
}

/** Largest relative difference accepted between an expected ratio or average and the server's. */
const RATIO_TOLERANCE = 1e-9;

/**
 * Whether the server's figure is the expected one: a fraction (a ratio, an average) within
 * a relative 1e-9, anything else (counts, nulls, lists) exactly, as JSON.
 */
export function sameFigure(expected: unknown, got: unknown): boolean {
  if (typeof expected === 'number' && typeof got === 'number' && !Number.isInteger(expected)) {
    return Math.abs(expected - got) <= RATIO_TOLERANCE * Math.max(1, Math.abs(expected));
  }
  return show(expected) === show(got);
}
