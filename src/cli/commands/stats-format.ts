import { FIGURE_KEYS, type Figures } from '../../domain/stats/figures.js';

const SPARK = '▁▂▃▄▅▆▇█';
const RATIO_KEYS = new Set(['asr', 'ner', 'drop_rate', 'short_call_ratio']);

/**
 * A text sparkline of a series, one character per value; nulls are spaces.
 *
 * @example sparkline([0, 5, 10]) // '▁▅█'
 */
export function sparkline(values: ReadonlyArray<number | null>): string {
  const present = values.filter((v): v is number => v !== null);
  const min = Math.min(...present);
  const max = Math.max(...present);
  return values
    .map((v) => (v === null ? ' ' : SPARK[max === min ? 0 : Math.round(((v - min) / (max - min)) * (SPARK.length - 1))]))
    .join('');
}

/** One figure as people read it: ratios as percentages, seconds with one decimal, counts grouped. */
export function formatFigure(key: keyof Figures, value: number | null): string {
  if (value === null) return '–';
  if (RATIO_KEYS.has(key)) return `${(value * 100).toFixed(1)}%`;
  if (key.endsWith('_sec') && !Number.isInteger(value)) return value.toFixed(1);
  return value.toLocaleString('en-US');
}

/** Columns padded to their widest cell; the first column left-aligned, the rest right-aligned. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A summary as a two-column table of every figure. */
export function formatSummary(summary: Figures): string {
  return formatTable(['figure', 'value'], FIGURE_KEYS.map((k) => [k, formatFigure(k, summary[k])]));
}

const SERIES_COLUMNS = ['attempts', 'answered', 'asr', 'drop_rate', 'acd_sec', 'duration_p50_sec', 'peak_concurrency'] as const;

/** A time series as a table of the main figures, with a sparkline of attempts and of ASR. */
export function formatTimeseries(items: ReadonlyArray<Figures & { bucket_start_iso: string }>): string {
  const table = formatTable(
    ['bucket', ...SERIES_COLUMNS],
    items.map((i) => [i.bucket_start_iso, ...SERIES_COLUMNS.map((k) => formatFigure(k, i[k]))]),
  );
  return `${table}\n\nattempts  ${sparkline(items.map((i) => i.attempts))}\nasr       ${sparkline(items.map((i) => i.asr))}`;
}

const BREAKDOWN_COLUMNS = ['attempts', 'answered', 'asr', 'ner', 'drop_rate', 'acd_sec', 'duration_p90_sec'] as const;

/** A breakdown as a table, largest first, with each value's share of attempts. */
export function formatBreakdown(by: string, items: ReadonlyArray<Figures & { value: string | number | null }>): string {
  const total = items.reduce((s, i) => s + i.attempts, 0);
  return formatTable(
    [by, 'share', ...BREAKDOWN_COLUMNS],
    items.map((i) => [
      String(i.value ?? '–'),
      total === 0 ? '–' : `${((i.attempts / total) * 100).toFixed(1)}%`,
      ...BREAKDOWN_COLUMNS.map((k) => formatFigure(k, i[k])),
    ]),
  );
}
