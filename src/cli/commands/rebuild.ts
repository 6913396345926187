import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { plural } from '../../domain/plural.js';
import type { CheckFinding, CheckReport } from '../../ingest/rebuild/check-findings.js';
import { checkRebuild } from '../../ingest/rebuild/check-rebuild.js';
import { REBUILD_CHUNK_REQUESTS, type RebuildProgress, rebuildFromRaw } from '../../ingest/rebuild/rebuild-from-raw.js';
import { DEFAULT_DATABASE_URL, openStore } from '../../storage/open-store.js';

/** How often a progress line is written when stderr is not a terminal. */
const PROGRESS_EVERY_MS = 5_000;

export interface RebuildOptions {
  db?: string;
  into?: string;
  check?: boolean;
  chunk?: string;
}

/** `callevt rebuild [--check]`: derive everything again from raw_requests into a new database, and compare. */
export function registerRebuild(program: Command): void {
  program
    .command('rebuild')
    .description('derive calls, conflicts, quarantine and statistics rollups again from the raw requests alone, into a new database, as live ingest would (resumable); --check compares the result with the live tables')
    .option('--db <url>', 'the live database: a SQLite file path or a postgres:// URL (env DATABASE_URL; default ./data/callevt.db)')
    .option('--into <url>', 'the new database to rebuild into: a SQLite file that does not exist yet, or a postgres:// URL of an empty schema (postgres://…/db?schema=rebuilt, the schema created first); a second run continues where the first stopped (required without --check)')
    .option('--check', 'compare the rebuild with the live tables and list every difference; exit code 1 when any (without --into, rebuilds into a temporary file)')
    .option('--chunk <n>', 'raw requests per transaction', String(REBUILD_CHUNK_REQUESTS))
    .action(async (options: RebuildOptions) => {
      const code = await runRebuild(options, { out: process.stdout, progress: process.stderr });
      if (code !== 0) process.exitCode = code;
    });
}

/** Runs `callevt rebuild`; returns the exit code (1: --check found differences). */
export async function runRebuild(options: RebuildOptions, io: { out: NodeJS.WritableStream; progress: NodeJS.WritableStream & { isTTY?: boolean } }): Promise<number> {
  const live = options.db ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const chunk = Number(options.chunk ?? REBUILD_CHUNK_REQUESTS);
  if (!Number.isInteger(chunk) || chunk < 1 || chunk > 100_000) throw new Error(`--chunk must be a whole number from 1 to 100000 (got "${options.chunk}")`);
  if (options.into === undefined && options.check !== true) throw new Error('rebuild needs --into <new database> (or --check to compare through a temporary one)');
  if (options.into !== undefined && options.into === live) throw new Error('--into must be a new database, not the live one');
  const temporary = options.into === undefined ? mkdtempSync(join(tmpdir(), 'callevt-rebuild-')) : null;
  const into = options.into ?? join(temporary as string, 'rebuild.db');
  const source = await openStore(live);
  try {
    const target = await openStore(into);
    try {
      const started = Date.now();
      const result = await rebuildFromRaw(source, target, { chunk, onProgress: progressLine(io.progress, started) });
      // The URLs are never printed: a postgres:// URL may carry a password.
      if (result.lastId > result.targetId) throw new Error(`--into holds raw requests the live database does not (up to id ${result.lastId}): rebuild into a new database`);
      io.out.write(`rebuilt ${plural(result.done, 'raw request')} in ${((Date.now() - started) / 1000).toFixed(1)} s` +
        `${result.resumedFrom > 0 ? ` (continued after raw request ${result.resumedFrom})` : ''}; ${temporary === null ? 'the new database' : 'a temporary database'} holds raw requests up to id ${result.lastId}\n`);
      if (options.check !== true) return 0;
      const report = await checkRebuild(source, target, { lastRawId: result.lastId, onFinding: (f) => io.out.write(formatFinding(f)) });
      io.out.write(formatCheckReport(report));
      return report.totalDifferences > 0 ? 1 : 0;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
    if (temporary !== null) rmSync(temporary, { recursive: true, force: true });
  }
}

/** A progress line per chunk on a terminal (rewritten in place), every few seconds otherwise. */
function progressLine(stream: NodeJS.WritableStream & { isTTY?: boolean }, started: number): (p: RebuildProgress) => void {
  let lastWritten = 0;
  return (p) => {
    const now = Date.now();
    if (p.phase === 'rollups') {
      stream.write('rebuild: every raw request recorded; building the statistics rollups from the calls\n');
      return;
    }
    const finished = p.lastId >= p.targetId;
    if (stream.isTTY !== true && !finished && now - lastWritten < PROGRESS_EVERY_MS) return;
    lastWritten = now;
    const rate = p.done / Math.max((now - started) / 1000, 0.001);
    const line = `rebuild: raw request ${p.lastId} of ${p.targetId} (${((100 * p.lastId) / Math.max(p.targetId, 1)).toFixed(1)}%), ${Math.round(rate)}/s`;
    stream.write(stream.isTTY === true ? `\r${line}${finished ? '\n' : ''}` : `${line}\n`);
  };
}

export function formatFinding(f: CheckFinding): string {
  const label = f.kind === 'not_checkable' ? 'not checkable (raw request pruned)' : f.kind === 'classification' ? 'classification (older classifier)' : `difference ${f.kind}`;
  return `${label}  ${f.key}  ${f.detail}\n`;
}

export function formatCheckReport(r: CheckReport): string {
  const kinds = Object.entries(r.differences).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
  return [
    `compared ${plural(r.compared.calls, 'call')}, ${plural(r.compared.quarantine, 'quarantine entry', 'quarantine entries')}, ` +
      `${plural(r.compared.rawRequests, 'raw request result')}, ${plural(r.compared.rollupRows, 'rollup row')}, ${plural(r.compared.groupEvents, 'group event')}`,
    `${plural(r.totalDifferences, 'difference')}${kinds === '' ? '' : ` (${kinds})`}`,
    `${r.classification} classification (calls stored by an older classifier, and their hours' rollup rows: run \`callevt reclassify\`)`,
    `${r.notCheckable} not checkable (raw request pruned)`,
    ...(r.newerThanRebuild > 0 ? [`${plural(r.newerThanRebuild, 'call')} newer than the rebuild left out`] : []),
  ].join('\n').concat('\n');
}
