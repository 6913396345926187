import type { Command } from 'commander';
import { plural } from '../../domain/plural.js';
import { parseReplaySelection } from '../../ingest/parse-replay-selection.js';
import { replayQuarantine, type ReplaySummary } from '../../ingest/replay-quarantine.js';
import { DEFAULT_DATABASE_URL, openStore } from '../../storage/open-store.js';

const DB_OPTION = 'database: a SQLite file path or a postgres:// URL (env DATABASE_URL; default ./data/callevt.db)';

/** `callevt quarantine list|replay`: see refused callbacks, and read them again after an upgrade. */
export function registerQuarantine(program: Command): void {
  const quarantine = program.command('quarantine').description('refused (malformed) callbacks, kept with their raw requests');
  quarantine
    .command('list')
    .description('list quarantined callbacks, newest first, with every reason')
    .option('--db <url>', DB_OPTION)
    .option('--limit <n>', 'entries to show', '50')
    .option('--json', 'one JSON object per line, like GET /api/quarantine items')
    .action(async (options: { db?: string; limit: string; json?: boolean }) => {
      process.stdout.write(await runQuarantineList(databaseOf(options), Number(options.limit), options.json === true));
    });
  quarantine
    .command('replay')
    .description('read quarantined callbacks again with this version\'s parser: those that now parse become calls as if they had arrived then; the others stay with their new reasons')
    .option('--db <url>', DB_OPTION)
    .option('--since <time>', 'only entries received at or after: Unix seconds, ISO-8601, or relative like -24h')
    .option('--id <id...>', 'only these quarantine entries (ids as `quarantine list` shows them)')
    .option('--dry-run', 'only say what would change; write nothing')
    .option('--json', 'print the result as JSON, like POST /api/quarantine/replay')
    .action(async (options: { db?: string; since?: string; id?: string[]; dryRun?: boolean; json?: boolean }) => {
      const summary = await runQuarantineReplay(databaseOf(options), options);
      process.stdout.write(options.json === true ? `${JSON.stringify(summary, null, 2)}\n` : formatReplay(summary));
    });
}

function databaseOf(options: { db?: string }): string {
  return options.db ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

/** The text `callevt quarantine list` prints. */
export async function runQuarantineList(url: string, limit: number, json: boolean): Promise<string> {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new Error(`--limit must be a whole number from 1 to 1000 (got "${limit}")`);
  const store = await openStore(url);
  try {
    const items = await store.listQuarantine({ limit });
    if (json) return items.map((i) => `${JSON.stringify({ ...i, received_at: new Date(i.received_at).toISOString() })}\n`).join('');
    if (items.length === 0) return 'the quarantine is empty\n';
    return items.map((i) => [
      `#${i.id}  ${new Date(i.received_at).toISOString()}  ${i.method} ${i.path}  from ${i.source_ip}  raw request ${i.raw_request_id}`,
      ...i.reasons.map((r) => `    ${r.field}: ${r.problem}`),
    ].join('\n')).join('\n').concat('\n');
  } finally {
    await store.close();
  }
}

/** Replays (or dry-runs) the selected quarantine entries of a database. */
export async function runQuarantineReplay(url: string, options: { since?: string; id?: string[]; dryRun?: boolean }): Promise<ReplaySummary> {
  const parsed = parseReplaySelection({ since: options.since, ids: options.id }, Date.now());
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `--${p.field === 'ids' ? 'id' : p.field} ${p.problem}`).join('; '));
  const store = await openStore(url);
  try {
    return await replayQuarantine(store, parsed.selection, { dryRun: options.dryRun === true });
  } finally {
    await store.close();
  }
}

/** One line per entry, then the counts. */
export function formatReplay(summary: ReplaySummary): string {
  const verb = summary.dry_run ? 'would become' : 'became';
  const lines = summary.entries.map((e) => {
    const head = `#${e.quarantine_id}  ${new Date(e.received_at).toISOString()}  raw request ${e.raw_request_id}`;
    if (e.result !== 'quarantined') return `${head}  ${verb} ${e.result} (sid ${e.sid})`;
    const reasons = (e.reasons ?? []).map((r) => `${r.field}: ${r.problem}`).join('; ');
    return `${head}  ${summary.dry_run ? 'would stay' : 'stays'}: ${reasons}`;
  });
  if (summary.unlisted > 0) lines.push(`… and ${plural(summary.unlisted, 'more entry', 'more entries')} (counted below)`);
  const c = summary.counts;
  lines.push(`${summary.dry_run ? 'dry run, nothing written: ' : ''}${plural(summary.entries.length + summary.unlisted, 'entry', 'entries')} read again: ` +
    `${c.accepted} accepted, ${c.duplicate} duplicate, ${c.conflict} conflict, ${c.quarantined} still quarantined` +
    (summary.skipped > 0 ? `; ${summary.skipped} skipped (raw request pruned or unknown endpoint)` : ''));
  return `${lines.join('\n')}\n`;
}
