import { CALL_EVENT_FIELDS } from '../../domain/call-event.js';
import type { ApiClient } from '../api-client.js';
import type { TruthCall } from '../ground-truth.js';
import { type CheckResult, checkResult, mapConcurrently, show } from './check-result.js';
import { plural } from '../../domain/plural.js';

const STATUS_KEYS = ['outcome', 'ended_by', 'reason', 'reason_source'] as const;

/**
 * Reads every expected call back (GET /api/calls/:sid) and compares each LINE Planet
 * field, the unknown keys, the status and the conflict count with the ground truth.
 */
export async function checkCalls(calls: readonly TruthCall[], api: ApiClient, concurrency: number): Promise<CheckResult[]> {
  const fieldProblems: string[] = [];
  const conflictProblems: string[] = [];
  let recordedConflicts = 0;
  await mapConcurrently(calls, concurrency, async (truth) => {
    const answer = await api.get(`/api/calls/${encodeURIComponent(truth.sid)}`);
    if (answer.status === 404) {
      fieldProblems.push(`${truth.sid}: not stored (404)`);
      return;
    }
    if (answer.status !== 200 || typeof answer.body !== 'object' || answer.body === null) {
      fieldProblems.push(`${truth.sid}: HTTP ${answer.status} ${show(answer.body).slice(0, 200)}`);
      return;
    }
    const stored = answer.body as Record<string, unknown> & { status?: Record<string, unknown>; extra?: unknown };
    for (const field of CALL_EVENT_FIELDS) {
      if (stored[field] !== truth.fields[field]) {
        fieldProblems.push(`${truth.sid}: ${field} expected ${show(truth.fields[field])}, stored ${show(stored[field])}`);
      }
    }
    if (sortedJson(stored.extra) !== sortedJson(truth.fields.extra)) {
      fieldProblems.push(`${truth.sid}: extra expected ${show(truth.fields.extra)}, stored ${show(stored.extra)}`);
    }
    for (const key of STATUS_KEYS) {
      if (stored.status?.[key] !== truth.expected[key]) {
        fieldProblems.push(`${truth.sid}: status.${key} expected ${show(truth.expected[key])}, got ${show(stored.status?.[key])}`);
      }
    }
    const conflicts = Number(stored.conflicts);
    recordedConflicts += Number.isFinite(conflicts) ? conflicts : 0;
    if (stored.conflicts !== truth.conflicts_sent) {
      conflictProblems.push(`${truth.sid}: ${plural(truth.conflicts_sent, 'conflicting version')} sent, ${show(stored.conflicts)} recorded`);
    }
  });
  const matched = calls.length - new Set(fieldProblems.map((p) => p.slice(0, 36))).size;
  const expectedConflicts = calls.reduce((n, c) => n + c.conflicts_sent, 0);
  return [
    checkResult('calls stored as expected', fieldProblems, `${matched}/${plural(calls.length, 'call')} match (fields, extra, outcome, ended_by, reason)`),
    checkResult('conflicts recorded', conflictProblems, `${plural(expectedConflicts, 'conflicting version')} sent, ${recordedConflicts} recorded`),
  ];
}

function sortedJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return show(value);
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}
