import { formatCount, formatDuration, formatMinutes, formatPercent } from '../../web/src/format.js';

/**
 * How each KPI card formats its figure, written out again here (not imported from the
 * page code) so that a card showing the wrong figure or format fails the test.
 */
export const KPI_FORMATS: Record<string, { format: (v: number | null) => string; change: 'count' | 'ratio' }> = {
  attempts: { format: formatCount, change: 'count' },
  asr: { format: formatPercent, change: 'ratio' },
  ner: { format: formatPercent, change: 'ratio' },
  drop_rate: { format: formatPercent, change: 'ratio' },
  acd_sec: { format: formatDuration, change: 'count' },
  total_billing_sec: { format: formatMinutes, change: 'count' },
  peak_concurrency: { format: formatCount, change: 'count' },
};
