import { formatChange } from '../../web/src/format.js';
import { KPI_FORMATS } from './kpi-formats.js';
import { apiJson } from './browser-fixture.js';

type Figures = Record<string, number | null>;

/** What each KPI card must read, computed from the summary API with the dashboard's own formatters. */
export async function expectedKpiTexts(base: string, from: number, to: number): Promise<Record<string, { value: string; change: string }>> {
  const current = await apiJson<{ summary: Figures }>(base, `/api/stats/summary?from=${from}&to=${to}&tz=UTC`);
  const previous = await apiJson<{ summary: Figures }>(base, `/api/stats/summary?from=${from - (to - from)}&to=${from}&tz=UTC`);
  const out: Record<string, { value: string; change: string }> = {};
  // Written out again (docs/dashboard.md): a previous period with some calls, but fewer
  // than 20 or under a tenth of the current period's, is too small to compare with.
  const [was, is] = [previous.summary.attempts ?? 0, current.summary.attempts ?? 0];
  const tooFew = was > 0 && (was < 20 || is > 10 * was);
  for (const [key, { format, change }] of Object.entries(KPI_FORMATS)) {
    const now = current.summary[key] ?? null;
    const before = previous.summary[key] ?? null;
    const c = formatChange(now, before, change);
    const text = tooFew ? 'too few calls in the previous period to compare' : c.direction === 'none' ? 'no previous data' : `${c.text} vs previous`;
    out[key] = { value: format(now), change: text };
  }
  return out;
}

/** The breakdown request the overview makes for a dimension. */
export function breakdownQuery(by: string, from: number, to: number): string {
  return `/api/stats/breakdown?from=${from}&to=${to}&tz=UTC&by=${by}&limit=${by === 'reason' ? 1000 : 10}`;
}
