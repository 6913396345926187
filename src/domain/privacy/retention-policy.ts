import { ROLLUP_SLOT_SEC } from '../stats/hour-slot.js';

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/**
 * How long each kind of record is kept, in days; null keeps it forever
 * (docs/configuration.md, RETENTION_*). `truncateIpsDays`: after this many days,
 * IP addresses are cut to their network (truncate-ip.ts) instead of removed.
 */
export interface RetentionPolicy {
  rawDays: number | null;
  quarantineDays: number | null;
  callsDays: number | null;
  rollupsDays: number | null;
  truncateIpsDays: number | null;
}

/** Keeps everything: the policy when nothing is configured. */
export const KEEP_EVERYTHING: RetentionPolicy = { rawDays: null, quarantineDays: null, callsDays: null, rollupsDays: null, truncateIpsDays: null };

/**
 * Where each kind's kept records start: a record older than its cutoff goes, one at or
 * after it stays. Raw requests, quarantine and IPs by receive time (Unix ms); calls and
 * rollups by setup time (Unix s), rounded down to the whole UTC hour so that no rollup
 * hour ever loses part of its calls (it keeps a little more, never less).
 */
export interface RetentionCutoffs {
  rawBeforeMs: number | null;
  quarantineBeforeMs: number | null;
  callsBeforeSec: number | null;
  rollupsBeforeSec: number | null;
  ipsBeforeMs: number | null;
}

/** The cutoffs of a policy at a time (Unix ms). */
export function retentionCutoffs(policy: RetentionPolicy, now: number): RetentionCutoffs {
  const ms = (days: number | null) => (days === null ? null : now - days * DAY_MS);
  const hour = (days: number | null) => {
    const cutoff = ms(days);
    return cutoff === null ? null : Math.floor(cutoff / 1000 / ROLLUP_SLOT_SEC) * ROLLUP_SLOT_SEC;
  };
  return {
    rawBeforeMs: ms(policy.rawDays),
    quarantineBeforeMs: ms(policy.quarantineDays),
    callsBeforeSec: hour(policy.callsDays),
    rollupsBeforeSec: hour(policy.rollupsDays),
    ipsBeforeMs: ms(policy.truncateIpsDays),
  };
}

/** Whether a policy removes or truncates anything at all. */
export function retentionConfigured(policy: RetentionPolicy): boolean {
  return Object.values(policy).some((days) => days !== null);
}
