import type { RetentionPolicy } from '../domain/privacy/retention-policy.js';
import { DEFAULT_RETENTION_BATCH_ROWS } from '../storage/open-store.js';

/** Longest retention limit accepted, in days (100 years: "forever" is leaving it unset). */
export const MAX_RETENTION_DAYS = 36_500;
/** How often the server applies retention by default, in minutes. */
export const DEFAULT_RETENTION_INTERVAL_MINUTES = 60;

/** The retention settings (docs/configuration.md, "Retention"). */
export interface RetentionSettings {
  policy: RetentionPolicy;
  intervalMinutes: number;
  batchRows: number;
}

/** The environment variables of the retention settings. */
export type RetentionEnv = Partial<Record<
  | 'RETENTION_RAW_DAYS' | 'RETENTION_QUARANTINE_DAYS' | 'RETENTION_CALLS_DAYS' | 'RETENTION_ROLLUPS_DAYS'
  | 'RETENTION_TRUNCATE_IPS_DAYS' | 'RETENTION_INTERVAL_MINUTES' | 'RETENTION_BATCH_ROWS',
  string | undefined
>>;

/**
 * Reads the retention settings; each limit is a whole number of days or unset (kept
 * forever). Limits that would contradict each other are refused: rollups must outlive
 * calls (statistics of old periods come from them), and raw requests must not outlive
 * calls (an erasure finds a user's raw requests through their calls).
 */
export function parseRetentionSettings(env: RetentionEnv, problems: string[]): RetentionSettings {
  const days = (name: keyof RetentionEnv) => {
    const text = env[name]?.trim();
    if (text === undefined || text === '') return null;
    const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isInteger(n) || n < 1 || n > MAX_RETENTION_DAYS) {
      problems.push(`${name} must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, or unset to keep forever (got "${text}")`);
      return null;
    }
    return n;
  };
  const policy: RetentionPolicy = {
    rawDays: days('RETENTION_RAW_DAYS'),
    quarantineDays: days('RETENTION_QUARANTINE_DAYS'),
    callsDays: days('RETENTION_CALLS_DAYS'),
    rollupsDays: days('RETENTION_ROLLUPS_DAYS'),
    truncateIpsDays: days('RETENTION_TRUNCATE_IPS_DAYS'),
  };
  const { rawDays, callsDays, rollupsDays } = policy;
  if (rollupsDays !== null && (callsDays === null || rollupsDays < callsDays)) {
    problems.push(`RETENTION_ROLLUPS_DAYS (${rollupsDays}) must be at least RETENTION_CALLS_DAYS (${callsDays ?? 'unset: forever'}): statistics of old periods come from the rollups`);
  }
  if (callsDays !== null && (rawDays === null || rawDays > callsDays)) {
    problems.push(`RETENTION_RAW_DAYS (${rawDays ?? 'unset: forever'}) must be at most RETENTION_CALLS_DAYS (${callsDays}): an erasure finds raw requests through their calls`);
  }
  return {
    policy,
    intervalMinutes: whole(env.RETENTION_INTERVAL_MINUTES, 'RETENTION_INTERVAL_MINUTES', DEFAULT_RETENTION_INTERVAL_MINUTES, 1, 10_080, problems),
    batchRows: whole(env.RETENTION_BATCH_ROWS, 'RETENTION_BATCH_ROWS', DEFAULT_RETENTION_BATCH_ROWS, 1, 10_000, problems),
  };
}

function whole(raw: string | undefined, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const text = raw?.trim();
  if (text === undefined || text === '') return fallback;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got "${text}")`);
    return fallback;
  }
  return n;
}
