/**
 * The duration histogram of answered calls, built from figures the summary already has:
 * the short-call ratio (share under 10 s) and the p50, p90 and p99 durations. Each bin
 * holds the share of answered calls between two consecutive of those points, so the
 * overview needs no extra query (a per-bin duration filter would scan every call).
 * Pure: no DOM, so the tests use it too.
 */
import type { Figures } from './api-types.js';
import { formatDuration } from './format.js';

/** Below this many seconds a call is short (docs/spec/outcomes.md §2, `short_call_ratio`). */
export const SHORT_CALL_SEC = 10;

export interface DurationBin {
  /** Short axis label: the bin's upper edge (`≤ 45 s`), or `> 12 m 30 s` for the last. */
  label: string;
  /** The bin's range in words, e.g. `10 s – 45 s (to the median)`. */
  range: string;
  /** Share of answered calls, in [0,1]. */
  share: number;
  /** Answered calls in the bin (rounded share × answered). */
  calls: number;
}

type HistogramFigures = Pick<Figures, 'answered' | 'short_call_ratio' | 'duration_p50_sec' | 'duration_p90_sec' | 'duration_p99_sec'>;

/** The bins, or an empty list when there were no answered calls. */
export function durationBins(f: HistogramFigures): DurationBin[] {
  if (f.answered === 0) return [];
  const points: Array<{ sec: number; cum: number; name: string }> = [];
  if (f.short_call_ratio !== null) points.push({ sec: SHORT_CALL_SEC, cum: f.short_call_ratio, name: 'short calls' });
  if (f.duration_p50_sec !== null) points.push({ sec: f.duration_p50_sec, cum: 0.5, name: 'to the median' });
  if (f.duration_p90_sec !== null) points.push({ sec: f.duration_p90_sec, cum: 0.9, name: 'to p90' });
  if (f.duration_p99_sec !== null) points.push({ sec: f.duration_p99_sec, cum: 0.99, name: 'to p99' });
  points.sort((a, b) => a.sec - b.sec || a.cum - b.cum);
  // Equal edges merge (the larger share wins); shares never go down along the edges.
  const merged: typeof points = [];
  for (const p of points) {
    const last = merged.at(-1);
    if (last !== undefined && last.sec === p.sec) Object.assign(last, { cum: Math.max(last.cum, p.cum), name: p.name });
    else merged.push({ ...p, cum: Math.max(p.cum, last?.cum ?? 0) });
  }
  const bins: DurationBin[] = [];
  let lowSec = 0;
  let lowCum = 0;
  for (const p of merged) {
    const share = p.cum - lowCum;
    const range = p.sec === SHORT_CALL_SEC && lowSec === 0 ? `under ${formatDuration(SHORT_CALL_SEC)}` : `${formatDuration(lowSec)} – ${formatDuration(p.sec)} (${p.name})`;
    bins.push({ label: `≤ ${formatDuration(p.sec)}`, range, share, calls: Math.round(share * f.answered) });
    lowSec = p.sec;
    lowCum = p.cum;
  }
  const rest = 1 - lowCum;
  bins.push({ label: `> ${formatDuration(lowSec)}`, range: `over ${formatDuration(lowSec)}`, share: rest, calls: Math.round(rest * f.answered) });
  return bins;
}
