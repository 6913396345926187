import type { Command } from 'commander';
import { CLASSIFIER_VERSION } from '../../domain/classify/release-codes.js';
import { DEFAULT_DATABASE_URL, openStore } from '../../storage/open-store.js';
import { reclassifyStore } from '../api-client.js';
import { plural } from '../../domain/plural.js';

/** `callevt reclassify`: bring every stored call to the current classifier version. */
export function registerReclassify(program: Command): void {
  program
    .command('reclassify')
    .description(`recompute the stored outcome of calls classified by an older classifier (current: v${CLASSIFIER_VERSION}); safe while the server runs`)
    .option('--db <url>', 'database: a SQLite file path or a postgres:// URL (env DATABASE_URL; default ./data/callevt.db)')
    .action(async (options: { db?: string }) => {
      process.stdout.write(`${await runReclassify(options.db ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, process.stderr)}\n`);
    });
}

/** Reclassifies and returns the summary line; progress goes to `progress`. */
export async function runReclassify(url: string, progress: NodeJS.WritableStream | null): Promise<string> {
  const store = await openStore(url);
  try {
    const result = await reclassifyStore(store, (done) => progress?.write(`reclassified ${plural(done, 'call')} so far\n`));
    return `reclassified ${plural(result.reclassified, 'call')} to classifier v${CLASSIFIER_VERSION}; ${result.changed} changed outcome, ended_by or reason`;
  } finally {
    await store.close();
  }
}
