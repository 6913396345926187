/**
 * The 30-day group summary at 1 M room sessions (bounded, loopback only). Seeds N sessions
 * (`callevt seed --group`'s code, seedSqliteGroupSessions) over DAYS days into a temporary
 * SQLite file, starts the real server on it, and times
 * `GET /api/stats/group?from=<30 days ago>&to=<now>` (Unix milliseconds, the group filters'
 * unit): the first call (it builds the rollups of the seeded days: the seeder marks them
 * stale), then the median and p95 of RUNS more. Baseline in the same run:
 * the 1-to-1 `GET /api/stats/summary` over the same window on a database seeded with as many
 * 1-to-1 calls (`callevt seed`'s code). Target (issue 17): the group summary under 100 ms.
 *
 * Until the group statistics endpoint is on this build, its case reports the 404 and times
 * nothing; the seeding is measured either way (time, rows, database size).
 *
 * Run: npx tsx bench/group/summary.ts
 * Knobs: BENCH_GROUP_SESSIONS (1000000), BENCH_GROUP_DAYS (31), BENCH_GROUP_RUNS (20),
 * BENCH_GROUP_BASELINE=0 (no 1-to-1 baseline), BENCH_GROUP_DB=<file> (seed into this file
 * and keep it, or reuse it when it already holds group sessions), BENCH_GROUP_SEED_ONLY=1.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { seedSqliteCalls } from '../../src/seed/seed-calls.js';
import { seedSqliteGroupSessions } from '../../src/seed/seed-group-sessions.js';
import { serveArgs, startServer, stopServer } from './server-process.js';

const SESSIONS = Number(process.env.BENCH_GROUP_SESSIONS ?? 1_000_000);
const DAYS = Number(process.env.BENCH_GROUP_DAYS ?? 31);
const RUNS = Number(process.env.BENCH_GROUP_RUNS ?? 20);
const BASELINE = process.env.BENCH_GROUP_BASELINE !== '0';
const KEPT_DB = process.env.BENCH_GROUP_DB ?? null;
const SEED_ONLY = process.env.BENCH_GROUP_SEED_ONLY === '1';
/** The group summary should answer within this, in ms (issue 17). */
const TARGET_MS = 100;
const WINDOW_SEC = 30 * 86_400;

/** Size of a SQLite database on disk, with its -wal file, in MiB. */
function sizeMiB(file: string): number {
  const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
  return (size(file) + size(`${file}-wal`)) / 2 ** 20;
}

function countRows(file: string, table: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** The index a seeder's progress names: the group seeder gives its name, the 1-to-1 seeder a stage with it. */
function indexName(stage: unknown): string {
  return typeof stage === 'object' && stage !== null && 'indexing' in stage ? String(stage.indexing) : String(stage);
}

function progress(label: string, total: number): (done: number, stage?: unknown) => void {
  let shown = 0;
  return (done, stage) => {
    if (stage !== undefined || done - shown >= total / 10 || done === total) {
      shown = done;
      process.stdout.write(`  ${label}: ${done.toLocaleString('en')}/${total.toLocaleString('en')}${stage === undefined ? '' : `, building ${indexName(stage)}`}\n`);
    }
  };
}

function seedGroup(file: string, end: number): void {
  if (existsSync(file) && countRows(file, 'group_sessions') > 0) {
    process.stdout.write(`reusing ${countRows(file, 'group_sessions').toLocaleString('en')} group sessions in BENCH_GROUP_DB (${sizeMiB(file).toFixed(0)} MiB)\n`);
    return;
  }
  const r = seedSqliteGroupSessions(file, { sessions: SESSIONS, days: DAYS, seed: 1, end }, progress('group sessions', SESSIONS));
  process.stdout.write(`seeded ${r.sessions.toLocaleString('en')} group sessions (${r.events.toLocaleString('en')} events, ${r.stays.toLocaleString('en')} stays) ` +
    `over ${DAYS} days in ${r.seconds.toFixed(1)} s (${Math.round(r.sessions / r.seconds).toLocaleString('en')} sessions/s; ` +
    `drawing rooms ${r.phases.generate.toFixed(1)} s, building and writing ${r.phases.write.toFixed(1)} s, indexes ${r.phases.index.toFixed(1)} s); ` +
    `database ${sizeMiB(file).toFixed(0)} MiB\n`);
}

function seedOneToOne(file: string, end: number): void {
  const r = seedSqliteCalls(file, { calls: SESSIONS, days: DAYS, seed: 1, end }, progress('1-to-1 calls', SESSIONS));
  process.stdout.write(`seeded ${r.calls.toLocaleString('en')} 1-to-1 calls over ${DAYS} days in ${r.seconds.toFixed(1)} s; database ${sizeMiB(file).toFixed(0)} MiB\n`);
}

interface Timed {
  status: number;
  /** Client-side time of the whole request, ms. */
  ms: number;
  /** The server's own timing (Server-Timing), when it sends one. */
  server: string | null;
  body: string;
}

async function timedGet(url: string): Promise<Timed> {
  const started = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  return { status: res.status, ms: performance.now() - started, server: res.headers.get('server-timing'), body };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Starts the server on `file` and times `path`: the first call, then RUNS more. */
async function timeEndpoint(name: string, file: string, path: string): Promise<string> {
  const { child, url } = await startServer(serveArgs(file), { API_TOKEN: '', SPOOL_FILE: 'off' });
  try {
    const first = await timedGet(`${url}${path}`);
    if (first.status !== 200) {
      return `| ${name} | ${first.status} | – | – | – | answered ${first.status}${first.status === 404 ? ': the endpoint is not on this build' : ''}: ${first.body.slice(0, 160)} |`;
    }
    const warm: number[] = [];
    let server = first.server;
    for (let i = 0; i < RUNS; i++) {
      const t = await timedGet(`${url}${path}`);
      if (t.status !== 200) throw new Error(`${name}: run ${i + 1} answered ${t.status}`);
      warm.push(t.ms);
      server = t.server;
    }
    warm.sort((a, b) => a - b);
    const verdict = percentile(warm, 95) < TARGET_MS ? '✓' : '✗';
    return `| ${name} | 200 | ${first.ms.toFixed(1)} | ${percentile(warm, 50).toFixed(1)} | ${percentile(warm, 95).toFixed(1)} ${verdict} | ` +
      `last Server-Timing: ${server ?? '–'}; ${first.body.length} bytes |`;
  } finally {
    await stopServer(child);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-bench-group-summary-'));
  const end = Math.floor(Date.now() / 1000);
  const window = `from=${end - WINDOW_SEC}&to=${end}`;
  const groupWindow = `from=${(end - WINDOW_SEC) * 1000}&to=${end * 1000}`;
  process.stdout.write(`${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, ${SESSIONS.toLocaleString('en')} sessions over ${DAYS} days, ` +
    `${RUNS} warm calls per case, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  try {
    const groupFile = KEPT_DB ?? join(dir, 'group.db');
    seedGroup(groupFile, end);
    if (SEED_ONLY) return;
    const rows: string[] = [];
    rows.push(await timeEndpoint(`GET /api/stats/group (30 days, ${SESSIONS.toLocaleString('en')} sessions)`, groupFile, `/api/stats/group?${groupWindow}`));
    if (BASELINE) {
      const oneToOne = join(dir, 'one-to-one.db');
      seedOneToOne(oneToOne, end);
      rows.push(await timeEndpoint(`GET /api/stats/summary (30 days, ${SESSIONS.toLocaleString('en')} 1-to-1 calls; baseline)`, oneToOne, `/api/stats/summary?${window}`));
    }
    process.stdout.write(`\n| case | status | first ms | warm p50 ms | warm p95 ms (target < ${TARGET_MS}) | notes |\n|---|---:|---:|---:|---:|---|\n${rows.join('\n')}\n`);
    process.stdout.write(`load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
