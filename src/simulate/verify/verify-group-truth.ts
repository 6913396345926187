import { plural } from '../../domain/plural.js';
import type { ApiClient } from '../api-client.js';
import type { GroupGroundTruth, GroupTruthTotals } from '../group/group-ground-truth.js';
import { checkGroupFigures } from './check-group-figures.js';
import { checkGroupAcknowledged, checkGroupSessions } from './check-group-sessions.js';
import { checkLines } from './format-verify-report.js';
import type { CheckResult } from './check-result.js';

/** What `callevt verify --group` found. */
export interface GroupVerifyReport {
  truth: GroupTruthTotals;
  checks: CheckResult[];
  notes: string[];
  ok: boolean;
}

/**
 * Checks a server against the ground truth of `simulate --group`: every event answered
 * 2xx, every room's session and stays as the truth has them (through
 * `GET /api/group-calls/:sid`), and the group figures of the run's window
 * (`GET /api/stats/group`; judged when the window holds the run's rooms alone, or when
 * the run owns the database, `exclusive`).
 * A check whose route the server lacks is skipped (a failure when `strict`).
 */
export async function verifyGroupTruth(
  truth: GroupGroundTruth,
  api: ApiClient,
  options: { concurrency?: number; strict?: boolean; exclusive?: boolean; now?: () => number } = {},
): Promise<GroupVerifyReport> {
  const now = options.now ?? Date.now;
  const checks = [
    checkGroupAcknowledged(truth),
    await checkGroupSessions(truth.rooms, api, { concurrency: options.concurrency ?? 16, now }),
    await checkGroupFigures(truth, api, { exclusive: options.exclusive ?? false, now }),
  ];
  const ok = checks.every((c) => c.status === 'pass' || (c.status === 'skip' && !(options.strict ?? false)));
  return { truth: truth.totals, checks, notes: [], ok };
}

/** The report `callevt verify --group` prints. */
export function formatGroupVerifyReport(report: GroupVerifyReport): string {
  const t = report.truth;
  const lines = [
    `group ground truth: ${plural(t.rooms, 'room')} (${t.rooms_never_ending} never end), ${plural(t.events, 'event')} in ${plural(t.requests, 'request')}, ${plural(t.duplicates_sent, 'duplicate')}`,
    '',
    ...checkLines(report),
  ];
  return `${lines.join('\n')}\n`;
}
