/**
 * When a figure rests on too few calls to read as a trend. A ratio of 1 or 2 calls swings
 * between 0 % and 100 %, and a change against a nearly empty period is a huge percentage
 * that says less than the two volumes do; the dashboard shows both cases as such
 * (docs/dashboard.md, "Few calls").
 */
import type { Figures } from './api-types.js';
import { formatCount } from './format.js';

/** Fewest calls a ratio (ASR, NER, drop rate) rests on before it is shown plainly; below, it is faded, with its volume. */
export const MIN_RATIO_CALLS = 20;
/** Fewest attempts the previous period needs for a change against it to be shown. */
export const MIN_COMPARE_CALLS = 20;
/** A previous period with less than 1/this of the current period's attempts is no baseline either. */
export const MAX_COMPARE_GROWTH = 10;

/** What a KPI card says instead of a change against a period too small to compare. */
export const TOO_FEW_PREVIOUS = 'too few calls in the previous period to compare';

/** The calls a ratio figure divides by: attempts for ASR and NER, answered calls for the drop rate. */
export function ratioCalls(key: keyof Figures, figures: Figures): number | null {
  if (key === 'asr' || key === 'ner') return figures.attempts;
  if (key === 'drop_rate') return figures.answered;
  return null;
}

/** Whether a ratio on `calls` calls is too few to read as a figure (and is not absent altogether). */
export function isFewCalls(calls: number | null): calls is number {
  return calls !== null && calls > 0 && calls < MIN_RATIO_CALLS;
}

/** The volume a faded ratio shows: `on 7 calls`. */
export function volumeNote(calls: number): string {
  return `on ${formatCount(calls)} call${calls === 1 ? '' : 's'}`;
}

/** Whether the previous period is too small to compare the current one with (it had some calls, but too few). */
export function isTooFewToCompare(previousAttempts: number, currentAttempts: number): boolean {
  if (previousAttempts === 0) return false; // no previous data at all: said as such
  return previousAttempts < MIN_COMPARE_CALLS || currentAttempts > previousAttempts * MAX_COMPARE_GROWTH;
}
