import type { Command } from 'commander';
import { parseErasureTarget } from '../../domain/privacy/erasure-target.js';
import type { ErasureReceipt } from '../../storage/port.js';
import { DEFAULT_DATABASE_URL, openStore } from '../../storage/open-store.js';

/** The receipt as the CLI prints it: one line per table, then what stays. */
export function formatErasureReceipt(receipt: ErasureReceipt): string {
  const width = Math.max(...Object.keys(receipt.touched).map((t) => t.length));
  const lines = Object.entries(receipt.touched).map(([table, n]) => `  ${table.padEnd(width)}  ${n}`);
  return [
    `erasure #${receipt.id} at ${new Date(receipt.erased_at).toISOString()}: rows changed per table`,
    ...lines,
    'statistics rollups kept (they hold no user id); the other party of each call kept',
    '',
  ].join('\n');
}

/** `callevt erase --user SERVICE:USER`: remove every trace of one user from the database. */
export function registerErase(program: Command): void {
  program
    .command('erase')
    .description(
      "erase one user: their id becomes a random pseudonym, their side's IP addresses and the app's data go, in calls, " +
        'conflicting versions, raw requests and quarantine; statistics stay; prints a receipt and records an audit row',
    )
    .requiredOption('--user <service:user>', 'the service id and user id, separated by the first colon')
    .option('--db <url>', 'database: a SQLite file path or a postgres:// URL (env DATABASE_URL; default ./data/callevt.db)')
    .action(async (options: { user: string; db?: string }) => {
      const target = parseErasureTarget(options.user);
      const store = await openStore(options.db ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
      try {
        process.stdout.write(formatErasureReceipt(await store.eraseUser({ target, actor: 'cli', now: Date.now() })));
      } finally {
        await store.close();
      }
    });
}
