import type { VerifyReport } from './verify-ground-truth.js';
import { plural } from '../../domain/plural.js';

/** Mismatches listed per failed check; the rest are counted. */
export const MAX_PROBLEMS_SHOWN = 10;

/** The report `callevt verify` prints: one line per check, then the first mismatches. */
export function formatVerifyReport(report: VerifyReport): string {
  const t = report.truth;
  const lines = [
    `ground truth: ${plural(t.calls, 'call')}, ${plural(t.malformed, 'malformed request')}, ${plural(t.duplicates_sent, 'duplicate')} and ${plural(t.conflicts_sent, 'conflicting version')} sent`,
    ...(t.lifecycle === undefined
      ? []
      : [
          `  with the whole sequence: ${plural(t.lifecycle.notifies_sent, 'Notify', 'Notifies')} sent, ${t.lifecycle.notifies_undeliverable} undeliverable, ` +
            `${plural(t.lifecycle.agent_call_statuses_sent, 'Agent Call Status', 'Agent Call Statuses')}, ${plural(t.lifecycle.ends_lost, 'end event')} lost`,
        ]),
    '',
  ];
  lines.push(...checkLines(report));
  return `${lines.join('\n')}\n`;
}

/** One line per check, its first mismatches, the notes and the result line: every verify report ends so. */
export function checkLines(report: Pick<VerifyReport, 'checks' | 'notes' | 'ok'>): string[] {
  const lines: string[] = [];
  const width = Math.max(...report.checks.map((c) => c.name.length));
  for (const check of report.checks) {
    lines.push(`  ${check.status.toUpperCase().padEnd(4)}  ${check.name.padEnd(width)}  ${check.summary}`);
    for (const problem of check.problems.slice(0, MAX_PROBLEMS_SHOWN)) lines.push(`          - ${problem}`);
    if (check.problems.length > MAX_PROBLEMS_SHOWN) lines.push(`          … and ${check.problems.length - MAX_PROBLEMS_SHOWN} more`);
  }
  if (report.notes.length > 0) {
    lines.push('', '  not judged (definitions owned by the statistics module):');
    for (const note of report.notes) lines.push(`          ${note}`);
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const skippedCount = report.checks.filter((c) => c.status === 'skip').length;
  lines.push('', `RESULT: ${report.ok ? 'PASS' : 'FAIL'} (${failed} failed, ${skippedCount} skipped, ${report.checks.length - failed - skippedCount} passed)`);
  return lines;
}
