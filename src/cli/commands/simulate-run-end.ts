import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { plural } from '../../domain/plural.js';
import { parseRatePerSec, parseWholeNumber } from '../../simulate/parse-cli-values.js';
import type { SendStats } from '../../simulate/send-stats.js';

/** How a run sends, as 1-to-1 and group runs read it from the same flags. */
export interface SendFlags {
  concurrency: number;
  ratePerSec: number | null;
  retries: number;
}

/** Reads --concurrency, --rate and --retries, the flags every simulate run sends with. */
export function readSendFlags(o: { concurrency: string; rate?: string; retries: string }): SendFlags {
  return {
    concurrency: parseWholeNumber(o.concurrency, '--concurrency', 1, 4_096),
    ratePerSec: o.rate === undefined ? null : parseRatePerSec(o.rate, '--rate'),
    retries: parseWholeNumber(o.retries, '--retries', 0, 10),
  };
}

/** Writes a run's ground truth, one NDJSON line at a time, making its directory first. */
export function writeTruthFile(file: string, lines: Iterable<string>): void {
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, 'w');
  try {
    for (const line of lines) writeSync(fd, line);
  } finally {
    closeSync(fd);
  }
}

/**
 * Says on stderr what went wrong with a run's answers (2xx answers without callevt's
 * result: `endpoint` is not callevt's; requests without an answer) and sets exit code 1
 * when any answer was unexpected or missing.
 */
export function reportRunProblems(stats: SendStats, serverUrl: string, endpoint: string): void {
  if (stats.notCallevt > 0) {
    process.stderr.write(`callevt: ${plural(stats.notCallevt, 'answer')} from ${serverUrl} ${stats.notCallevt === 1 ? 'was' : 'were'} 2xx without callevt's result: is the ${endpoint} endpoint there?\n`);
  }
  if (stats.byClass.error > 0) process.stderr.write(`callevt: ${plural(stats.byClass.error, 'request')} to ${serverUrl} got no answer (${stats.firstError ?? 'no cause given'})\n`);
  if (stats.unexpected + stats.byClass.error > 0) process.exitCode = 1;
}
