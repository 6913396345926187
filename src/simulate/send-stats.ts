import { LatencyHistogram } from './latency-histogram.js';

/** Status classes the progress line and the summary count. */
export type StatusClass = '2xx' | '3xx' | '4xx' | '5xx' | 'error';

/** Counters of one simulation run, updated as answers arrive. */
export class SendStats {
  requests = 0;
  retries = 0;
  readonly byClass: Record<StatusClass, number> = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, error: 0 };
  /** callevt's answers: accepted, duplicate, conflict, invalid_callback… */
  readonly byResult = new Map<string, number>();
  /** Valid callbacks answered non-2xx (or 2xx without callevt's answer), or malformed ones answered 2xx. */
  unexpected = 0;
  /** 2xx answers without callevt's `result` word: something else answered (a web page, another server). */
  notCallevt = 0;
  /** Why the first request that got no answer failed (e.g. `connect ECONNREFUSED 127.0.0.1:8080`). */
  firstError: string | null = null;
  readonly latency = new LatencyHistogram();

  recordAnswer(status: number, result: string | null, latencyMs: number): void {
    this.requests++;
    this.byClass[statusClass(status)]++;
    if (result !== null) this.byResult.set(result, (this.byResult.get(result) ?? 0) + 1);
    else if (statusClass(status) === '2xx') this.notCallevt++;
    this.latency.record(latencyMs);
  }

  recordError(error?: unknown): void {
    this.requests++;
    this.byClass.error++;
    if (this.firstError === null && error !== undefined) this.firstError = error instanceof Error ? error.message : String(error);
  }
}

export function statusClass(status: number): StatusClass {
  if (status >= 200 && status < 300) return '2xx';
  if (status >= 300 && status < 400) return '3xx';
  if (status >= 400 && status < 500) return '4xx';
  if (status >= 500 && status < 600) return '5xx';
  return 'error';
}
