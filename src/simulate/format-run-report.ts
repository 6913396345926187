import type { SendStats } from './send-stats.js';
import { plural } from '../domain/plural.js';

/**
 * The live progress line: requests sent, the rate since the last line, answers by
 * status class, and latency so far. No newline: the caller rewrites it in place.
 */
export function formatProgressLine(stats: SendStats, elapsedMs: number, ratePerSec: number): string {
  const c = stats.byClass;
  const l = stats.latency;
  return (
    `${(elapsedMs / 1000).toFixed(1).padStart(6)} s  sent ${String(stats.requests).padStart(8)}  ` +
    `${Math.round(ratePerSec).toString().padStart(6)} req/s  2xx ${c['2xx']}  4xx ${c['4xx']}  5xx ${c['5xx']}  err ${c.error}  ` +
    `latency p50 ${ms(l.percentile(0.5))} p99 ${ms(l.percentile(0.99))}`
  );
}

/** The table printed when a run ends: throughput, latency percentiles and status counts. */
export function formatSummaryTable(stats: SendStats, elapsedMs: number): string {
  const l = stats.latency;
  const seconds = elapsedMs / 1000;
  const results = [...stats.byResult.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const rows: Array<[string, string]> = [
    ['requests', `${stats.requests} in ${seconds.toFixed(2)} s (${plural(stats.retries, 'retry', 'retries')})`],
    ['throughput', `${seconds > 0 ? Math.round(stats.requests / seconds) : 0} req/s`],
    ['latency', `p50 ${ms(l.percentile(0.5))}  p90 ${ms(l.percentile(0.9))}  p99 ${ms(l.percentile(0.99))}  max ${ms(l.max)}  mean ${ms(l.mean)}`],
    ['status', `2xx ${stats.byClass['2xx']}  3xx ${stats.byClass['3xx']}  4xx ${stats.byClass['4xx']}  5xx ${stats.byClass['5xx']}  no answer ${stats.byClass.error}${stats.firstError === null ? '' : ` (${stats.firstError})`}`],
    ['answers', results.length === 0 ? '-' : results.map(([k, v]) => `${k} ${v}`).join('  ')],
    ['unexpected', `${stats.unexpected} (valid callbacks not answered 2xx, malformed ones answered 2xx)`],
    ...(stats.notCallevt === 0 ? [] : [['not callevt', `${plural(stats.notCallevt, '2xx answer')} without callevt's result: is --url a callevt server?`] as [string, string]]),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

function ms(value: number): string {
  return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(value >= 10 ? 1 : 2)} ms`;
}
