import type { Command } from 'commander';
import { ConfigError } from '../../config/load-config.js';
import { parseRetentionSettings, type RetentionEnv } from '../../config/retention-settings.js';
import { retentionConfigured } from '../../domain/privacy/retention-policy.js';
import type { RetentionReport } from '../../storage/port.js';
import { DEFAULT_DATABASE_URL, openStore } from '../../storage/open-store.js';

/** A retention report as the CLI prints it. */
export function formatRetentionReport(report: RetentionReport): string {
  const part = (counts: Record<string, number>) =>
    Object.keys(counts).length === 0 ? 'nothing (no limit set)' : Object.entries(counts).map(([t, n]) => `${t} ${n}`).join(', ');
  return report.dryRun
    ? `dry run, nothing changed\nwould remove: ${part(report.removed)}\nwould visit for IP truncation: ${part(report.ipsTruncated)}\n`
    : `removed: ${part(report.removed)}\nIP addresses truncated: ${part(report.ipsTruncated)}\n` +
      `longest transaction: ${report.longestBatchMs.toFixed(1)} ms\n`;
}

/** `callevt retention run [--dry-run]`: apply the RETENTION_* settings once. */
export function registerRetention(program: Command): void {
  const retention = program.command('retention').description('the retention limits of RETENTION_* (docs/configuration.md)');
  retention
    .command('run')
    .description('apply the RETENTION_* limits once, in short batches, and print what was removed and truncated (statistics rollups stay unless RETENTION_ROLLUPS_DAYS)')
    .option('--dry-run', 'count what would go, change nothing')
    .option('--db <url>', 'database: a SQLite file path or a postgres:// URL (env DATABASE_URL; default ./data/callevt.db)')
    .action(async (options: { dryRun?: boolean; db?: string }) => {
      const problems: string[] = [];
      const settings = parseRetentionSettings(process.env as RetentionEnv, problems);
      if (problems.length > 0) throw new ConfigError(problems);
      if (!retentionConfigured(settings.policy)) {
        process.stdout.write('no RETENTION_* limit is set: everything is kept, nothing to do\n');
        return;
      }
      const store = await openStore(options.db ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
      try {
        const report = await store.applyRetention({ policy: settings.policy, now: Date.now(), batchSize: settings.batchRows, dryRun: options.dryRun === true });
        process.stdout.write(formatRetentionReport(report));
      } finally {
        await store.close();
      }
    });
}
