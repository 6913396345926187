import type { Command } from 'commander';
import { DEFAULT_DATABASE_URL, DEFAULT_PRUNE_BATCH_ROWS, pruneDatabase } from '../../storage/open-store.js';

import { plural } from '../../domain/plural.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads `--before`: Unix seconds, or an ISO-8601 date (midnight UTC) or date-time
 * with its zone. Refuses times after `now` (Unix ms): pruning the future is always a typo.
 *
 * @example parsePruneBefore('2026-01-01', Date.now()) // 1767225600
 */
export function parsePruneBefore(text: string, now: number): number {
  const trimmed = text.trim();
  const iso = ISO_DATE.test(trimmed) || ISO_DATE_TIME_WITH_ZONE.test(trimmed);
  const seconds = /^\d{1,12}$/.test(trimmed) ? Number(trimmed) : iso ? Date.parse(trimmed) / 1000 : Number.NaN;
  if (!Number.isFinite(seconds)) {
    throw new Error(
      `--before must be Unix seconds, a date like 2026-01-01 or a date-time with its zone like 2026-01-01T00:00:00Z (got "${text}")`,
    );
  }
  if (seconds * 1000 > now) throw new Error(`--before ${text} is in the future; nothing newer than now can be pruned`);
  return Math.floor(seconds);
}

/** `callevt prune`: delete calls, conflicts, raw requests and quarantine entries older than a date. */
export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description('delete calls (by setup_time) and raw requests and quarantine entries (by received_at) older than a date; statistics rollups are kept')
    .requiredOption('--before <date>', 'Unix seconds or ISO-8601 date/time (a bare date is 00:00 UTC); older records are deleted')
    .option('--db <url>', 'database: a SQLite file path or a postgres:// URL (env DATABASE_URL; default ./data/callevt.db)')
    .option('--batch <rows>', 'rows deleted per transaction', String(DEFAULT_PRUNE_BATCH_ROWS))
    .action(async (options: { before: string; db?: string; batch: string }) => {
      const url = options.db ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
      const before = parsePruneBefore(options.before, Date.now());
      const batchSize = Number(options.batch);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
        throw new Error(`--batch must be a whole number from 1 to 100000 (got "${options.batch}")`);
      }
      const result = await pruneDatabase(url, { before, batchSize });
      process.stdout.write(
        `pruned before ${new Date(before * 1000).toISOString()}: ${plural(result.calls, 'call')}, ${plural(result.call_conflicts, 'conflicting version')}, ` +
          `${plural(result.raw_requests, 'raw request')}, ${plural(result.quarantine, 'quarantine entry', 'quarantine entries')} (statistics rollups kept)\n`,
      );
    });
}
