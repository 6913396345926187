/**
 * Charts, drawn by uPlot (small, fast, no dependencies). Colours come from CSS custom
 * properties so that light and dark mode both read well.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { zonedParts } from './format.js';

/** A bar chart: named bars, replaceable on each refresh. */
export interface BarChart {
  setBars(names: readonly string[], values: readonly number[]): void;
  destroy(): void;
}

/** A chart that can take new data (live refresh) and be removed. */
export interface Chart {
  setData(x: number[], ys: Array<Array<number | null>>): void;
  destroy(): void;
}

export interface LineSeries {
  label: string;
  /** A CSS custom property holding the colour, e.g. `--c-attempts`. */
  colorVar: string;
  format: (v: number | null) => string;
  /** Dots only, half transparent: values shown as less sure than the line's. */
  faded?: boolean;
}

const HEIGHT_PX = 220;
/** Tick steps for counts: never a fractional call. */
const WHOLE_NUMBER_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 2.5e3, 5e3, 1e4, 2e4, 2.5e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7];

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function axisStyle(): Pick<uPlot.Axis, 'stroke' | 'grid' | 'ticks'> {
  return { stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid'), width: 1 }, ticks: { stroke: cssVar('--grid'), width: 1 } };
}

/** Whether a series has few enough values that each deserves a dot. */
function sparse(values: ArrayLike<number | null | undefined> | undefined): boolean {
  return Array.from(values ?? []).filter((v) => v !== null && v !== undefined).length <= 48;
}

function widthOf(container: HTMLElement): number {
  return Math.max(240, Math.floor(container.clientWidth));
}

function resizing(container: HTMLElement, plot: uPlot): ResizeObserver {
  const observer = new ResizeObserver(() => plot.setSize({ width: widthOf(container), height: HEIGHT_PX }));
  observer.observe(container);
  return observer;
}

/**
 * A time-series line chart; x is Unix seconds, shown in `timeZone`.
 *
 * @example lineChart(el, [{ label: 'attempts', colorVar: '--c-attempts', format: String }], 'UTC', (v) => String(v))
 */
export function lineChart(container: HTMLElement, series: LineSeries[], timeZone: string, yFormat: (v: number) => string, yRange?: [number, number]): Chart {
  const opts: uPlot.Options = {
    width: widthOf(container),
    height: HEIGHT_PX,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
    scales: { x: { time: true }, y: yRange ? { range: yRange } : { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    series: [
      {},
      ...series.map((s): uPlot.Series => ({
        label: s.label,
        stroke: cssVar(s.colorVar),
        width: 2,
        // Dots only when the line is sparse, so a lone bucket with calls stays visible.
        points: { show: (u: uPlot, seriesIdx: number) => sparse(u.data[seriesIdx]), size: 5 },
        value: (_u: uPlot, v: number | null) => s.format(v),
        ...(s.faded === true ? { alpha: 0.35, paths: () => null, points: { show: true, size: 6 } } : {}),
      })),
    ],
    axes: [
      { ...axisStyle(), values: (_u, splits) => timeLabels(splits, timeZone) },
      { ...axisStyle(), size: 56, incrs: yRange ? undefined : WHOLE_NUMBER_STEPS, values: (_u, splits) => splits.map((v) => yFormat(v)) },
    ],
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
  };
  const plot = new uPlot(opts, [[], ...series.map(() => [])], container);
  const observer = resizing(container, plot);
  return {
    setData: (x, ys) => plot.setData([x, ...ys] as uPlot.AlignedData),
    destroy: () => {
      observer.disconnect();
      plot.destroy();
    },
  };
}

/** A bar chart over named categories (the duration histogram); `setData` may bring new categories. */
export function barChart(container: HTMLElement, seriesLabel: string, colorVar: string, format: (v: number | null) => string): BarChart {
  let labels: string[] = [];
  const bars = uPlot.paths.bars?.({ size: [0.7, 80] });
  const color = cssVar(colorVar);
  const opts: uPlot.Options = {
    width: widthOf(container),
    height: HEIGHT_PX,
    scales: { x: { time: false, range: () => [-0.5, Math.max(1, labels.length) - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(0.01, max)] } },
    series: [
      { label: 'Duration', value: (_u, v) => labels[v] ?? '' },
      { label: seriesLabel, stroke: color, fill: color, width: 0, ...(bars ? { paths: bars } : {}), points: { show: false }, value: (_u, v) => format(v) },
    ],
    axes: [
      {
        ...axisStyle(), font: '11px system-ui, sans-serif', splits: () => labels.map((_l, i) => i),
        values: (u, splits) => splits.map((i) => (u.bbox.width / devicePixelRatio / Math.max(1, labels.length) < 64 && i % 2 === 1 ? '' : labels[i] ?? '')),
      },
      { ...axisStyle(), size: 56, values: (_u, splits) => splits.map((v) => format(v)) },
    ],
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
  };
  const plot = new uPlot(opts, [[], []], container);
  const observer = resizing(container, plot);
  return {
    setBars: (names, values) => {
      labels = [...names];
      plot.setData([names.map((_l, i) => i), [...values]] as uPlot.AlignedData);
    },
    destroy: () => {
      observer.disconnect();
      plot.destroy();
    },
  };
}

/**
 * Tick labels in the chosen zone, 24-hour clock: `14:00`, with the date (`11-25`) where
 * the day changes or when ticks are a day or more apart.
 */
export function timeLabels(splits: number[], timeZone: string): string[] {
  const step = splits.length > 1 ? (splits[1] ?? 0) - (splits[0] ?? 0) : 0;
  let lastDay = '';
  return splits.map((ts) => {
    const p = zonedParts(ts * 1000, timeZone);
    const day = `${p.month}-${p.day}`;
    const time = `${p.hour}:${p.minute}`;
    const newDay = day !== lastDay;
    lastDay = day;
    if (step >= 86_400) return day;
    return newDay ? `${time}\n${day}` : time;
  });
}
