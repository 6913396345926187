import { formatChange } from '../../web/src/format.js';
import { KPI_FORMATS } from './kpi-formats.js';
import { apiJson } from './browser-fixture.js';

type Figures = Record<string, number | null>;

/** What each KPI card must read, computed from the summary API with the dashboard's own formatters. */
export async function expectedKpiTexts(base: string, from: number, to: number): Promise<Record<string, { value: string; change: string }>> {
  const current = await apiJson<{ summary: Figures }>(base, `/api/stats/summary?from=${from}&to=${to}&tz=UTC`);
  const previous = await apiJson<{ summary: Figures }>(base, `/api/stats/summary?from=${from - (to - from)}&to=${from}&tz=UTC`);
  const out: Record<string, { value: string; change: string }> = {};
  for (const [key, { format, change }] of Object.entries(KPI_FORMATS)) {
    const now = current.summary[key] ?? null;
    const before = previous.summary[key] ?? null;
    const c = formatChange(now, before, change);
    out[key] = { value: format(now), change: c.direction === 'none' ? 'no previous data' : `${c.text} vs previous` };
  }
  return out;
}

/** The breakdown request the overview makes for a dimension. */
export function breakdownQuery(by: string, from: number, to: number): string {
  return `/api/stats/breakdown?from=${from}&to=${to}&tz=UTC&by=${by}&limit=${by === 'reason' ? 1000 : 10}`;
}
