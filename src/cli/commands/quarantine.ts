import type { Command } from 'commander';
import { plural } from '../../domain/plural.js';
import { parseReplaySelection } from '../../ingest/parse-replay-selection.js';
import { replayQuarantine, type ReplaySummary } from '../../ingest/replay-quarantine.js';
import { openStore } from '../../storage/open-store.js';
import type { QuarantinedRequest } from '../../storage/port.js';
import { requestApi } from '../api-client.js';
import { resolveReadTarget, type TargetOptions } from '../server-target.js';
import { addSourceOptions } from './calls.js';

type QuarantineListJson = { items: Array<Omit<QuarantinedRequest, 'received_at'> & { received_at: string }> };
type ReplayJson = Omit<ReplaySummary, 'entries'> & { entries: Array<Omit<ReplaySummary['entries'][number], 'received_at'> & { received_at: string }> };

/** `callevt quarantine list|replay`: see refused callbacks, and read them again after an upgrade. */
export function registerQuarantine(program: Command): void {
  const quarantine = program.command('quarantine').description('refused (malformed) callbacks, kept with their raw requests');
  const list = quarantine
    .command('list')
    .description('list quarantined callbacks, newest first, with every reason')
    .option('--limit <n>', 'entries to show', '50')
    .option('--json', 'one JSON object per line, like GET /api/quarantine items');
  addSourceOptions(list).action(async (options: TargetOptions & { limit: string; json?: boolean }) => {
    process.stdout.write(await runQuarantineList(options, Number(options.limit), options.json === true));
  });
  const replay = quarantine
    .command('replay')
    .description('read quarantined callbacks again with this version\'s parser: those that now parse become calls as if they had arrived then; the others stay with their new reasons')
    .option('--since <time>', 'only entries received at or after: Unix seconds, ISO-8601, or relative like -24h')
    .option('--id <id...>', 'only these quarantine entries (ids as `quarantine list` shows them)')
    .option('--dry-run', 'only say what would change; write nothing')
    .option('--json', 'print the result as JSON, like POST /api/quarantine/replay');
  addSourceOptions(replay).action(async (options: TargetOptions & { since?: string; id?: string[]; dryRun?: boolean; json?: boolean }) => {
    const summary = await runQuarantineReplay(options, options);
    process.stdout.write(options.json === true ? `${JSON.stringify(summary, null, 2)}\n` : formatReplay(summary));
  });
}

/** The text `callevt quarantine list` prints, from a running server (`--url`) or the database. */
export async function runQuarantineList(target: TargetOptions, limit: number, json: boolean): Promise<string> {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new Error(`--limit must be a whole number from 1 to 1000 (got "${limit}")`);
  const items = await readQuarantine(target, limit);
  if (json) return items.map((i) => `${JSON.stringify({ ...i, received_at: new Date(i.received_at).toISOString() })}\n`).join('');
  if (items.length === 0) return 'the quarantine is empty\n';
  return items.map((i) => [
    `#${i.id}  ${new Date(i.received_at).toISOString()}  ${i.method} ${i.path}  from ${i.source_ip}  raw request ${i.raw_request_id}`,
    ...i.reasons.map((r) => `    ${r.field}: ${r.problem}`),
  ].join('\n')).join('\n').concat('\n');
}

async function readQuarantine(options: TargetOptions, limit: number): Promise<QuarantinedRequest[]> {
  const target = resolveReadTarget(options);
  if (target.kind === 'server') {
    const page = (await (await requestApi(target.server, '/api/quarantine', { limit: String(limit) })).json()) as QuarantineListJson;
    return page.items.map((i) => ({ ...i, received_at: Date.parse(i.received_at) }));
  }
  const store = await openStore(target.databaseUrl);
  try {
    return await store.listQuarantine({ limit });
  } finally {
    await store.close();
  }
}

/** Replays (or dry-runs) the selected quarantine entries, on a running server (`--url`) or the database. */
export async function runQuarantineReplay(target: TargetOptions, options: { since?: string; id?: string[]; dryRun?: boolean }): Promise<ReplaySummary> {
  const parsed = parseReplaySelection({ since: options.since, ids: options.id }, Date.now());
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `--${p.field === 'ids' ? 'id' : p.field} ${p.problem}`).join('; '));
  const resolved = resolveReadTarget(target);
  if (resolved.kind === 'server') {
    const body = { dry_run: options.dryRun === true, ...(options.since === undefined ? {} : { since: options.since }), ...(parsed.selection.ids === undefined ? {} : { ids: parsed.selection.ids }) };
    const answer = (await (await requestApi(resolved.server, '/api/quarantine/replay', {}, body)).json()) as ReplayJson;
    return { ...answer, entries: answer.entries.map((e) => ({ ...e, received_at: Date.parse(e.received_at) })) };
  }
  const store = await openStore(resolved.databaseUrl);
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
