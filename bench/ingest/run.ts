/**
 * The ingest benchmark (bounded, loopback only, fixed connections). Measures, in one run:
 *  (a) callevt's durable ingest vs a bare node:http server that only decodes the query;
 *  (b) group commit vs one commit per request (INGEST_MAX_BATCH=1);
 *  (c) ingest into a database already holding FILLED_CALLS calls vs an empty one.
 * Every request carries a distinct sid. Servers run as child processes; autocannon
 * drives them from this process. Run: flock /tmp/callevt-bench.lock npx tsx bench/ingest/run.ts
 * Add `--db postgres://postgres@127.0.0.1:5432/test` (or BENCH_PG_URL) to measure PostgreSQL too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import Database from 'better-sqlite3';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { fillCalls } from './fill-calls.js';
import { benchPostgresUrl, createBenchSchema } from '../postgres/bench-schema.js';

const CONNECTIONS = 50;
const DURATION_SEC = Number(process.env.BENCH_DURATION_SEC ?? 10);
const WARMUP_SEC = 2;
const FILLED_CALLS = Number(process.env.BENCH_FILLED_CALLS ?? 1_000_000);
const root = fileURLToPath(new URL('../..', import.meta.url));

interface Measured {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  stored?: number;
}

/** Starts a server child process and resolves with the URL from its first JSON log line that has one. */
function start(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root, env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { url?: string };
        if (entry.url) resolve({ child, url: entry.url });
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Fires distinct-sid callbacks at one URL for `seconds`. */
function load(url: string, seconds: number): Promise<Result> {
  const values = validCallbackValues();
  const [before, after] = new URLSearchParams(values).toString().split(values.sid ?? '');
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/callbacks/call-event?${before}${randomUUID()}${after}` }) }],
  });
}

async function measure(name: string, args: string[], env: Record<string, string>, db?: string): Promise<Measured> {
  const { child, url } = await start(args, env);
  try {
    await load(url, WARMUP_SEC);
    const result = await load(url, DURATION_SEC);
    const measured: Measured = {
      name,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      ok: result['2xx'],
      failed: result.non2xx + result.errors + result.timeouts,
    };
    return measured;
  } finally {
    await stop(child);
    if (db !== undefined) process.stdout.write(`  (${name}: ${countCalls(db)} calls stored)\n`);
  }
}

function countCalls(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM calls').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function callevt(db: string): string[] {
  return [join(root, 'src/cli/main.ts'), 'serve', '--host', '127.0.0.1', '--port', '0', '--db', db];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-bench-'));
  const results: Measured[] = [];
  try {
    const only = process.env.BENCH_ONLY?.split(',');
    const want = (key: string) => only === undefined || only.includes(key);
    if (want('bare')) results.push(await measure('bare node:http (decode query, 200)', [join(root, 'bench/ingest/bare-server.ts')], {}));
    if (want('group')) {
      const db = join(dir, 'group.db');
      results.push(await measure('callevt, group commit (empty db)', callevt(db), {}, db));
    }
    if (want('single')) {
      const db = join(dir, 'single.db');
      results.push(await measure('callevt, one commit per request (INGEST_MAX_BATCH=1)', callevt(db), { INGEST_MAX_BATCH: '1' }, db));
    }
    if (want('filled')) {
      const db = join(dir, 'filled.db');
      const started = Date.now();
      fillCalls(db, FILLED_CALLS);
      process.stdout.write(`  (filled ${FILLED_CALLS} calls in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      results.push(await measure(`callevt, group commit (db holding ${FILLED_CALLS.toLocaleString('en')} calls)`, callevt(db), {}, db));
    }
    // PostgreSQL (`--db postgres://...` or BENCH_PG_URL): the same load, on a throwaway schema.
    const pgUrl = benchPostgresUrl();
    for (const [key, name, env] of [
      ['pg', 'callevt on PostgreSQL, group commit (empty schema)', {}],
      ['pg-single', 'callevt on PostgreSQL, one commit per request (INGEST_MAX_BATCH=1)', { INGEST_MAX_BATCH: '1' }],
    ] as const) {
      if (pgUrl === null || !want(key)) continue;
      const schema = await createBenchSchema(pgUrl);
      try {
        results.push(await measure(name, callevt(schema.url), env));
        process.stdout.write(`  (${name}: ${await schema.countCalls()} calls stored)\n`);
      } finally {
        await schema.drop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  report(results);
}

function report(results: Measured[]): void {
  const base = results[0];
  const cpu = cpus()[0]?.model ?? 'unknown';
  process.stdout.write(`\n${cpus().length} CPUs (${cpu}), Node ${process.version}, ${CONNECTIONS} connections, ${DURATION_SEC} s each after ${WARMUP_SEC} s warm-up\n\n`);
  process.stdout.write('| run | req/s | ratio to first row | p50 ms | p99 ms | 2xx | failed |\n|---|---:|---:|---:|---:|---:|---:|\n');
  for (const r of results) {
    const ratio = base === undefined ? 1 : r.rps / base.rps;
    process.stdout.write(`| ${r.name} | ${r.rps.toFixed(0)} | ${ratio.toFixed(2)}× | ${r.p50} | ${r.p99} | ${r.ok} | ${r.failed} |\n`);
  }
}

await main();
