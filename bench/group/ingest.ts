/**
 * Group Call Event ingest against 1-to-1 Call Event ingest, in one run (bounded, loopback
 * only, closed loop). Each case starts `callevt serve` from this checkout on a fresh
 * database (SQLite by default: WAL, synchronous=FULL, group commit) and drives it from
 * autocannon in this process with the same connections for the same time:
 *  - one-to-one (the baseline): 1-to-1 Call Events, every one with a new sid (as bench/ingest);
 *  - group-N: Group Call Events of simulated rooms of up to N participants
 *    (src/simulate/group/: joins, media switches, leaves, time-outs, kicks, refusals,
 *    rooms that never end, some events sent twice), many rooms' events interleaved in the
 *    order LINE Planet would send them live. A stored event updates its open room through
 *    its participant (a late one also reads where every stay stands); a start, an end or
 *    a conflicting version rebuilds the whole room from its events
 *    (storage/sql/apply-group-events.ts): the large-room cases show what both cost.
 * Reported per case (medians over interleaved rounds): events/s, latency, the server's CPU
 * time per request (/metrics), and the cost of a group event relative to a 1-to-1 event,
 * one-to-one events/s ÷ group events/s (target: at most 1.5), and the same in server CPU
 * time per event (steadier than the rate when other work shares the machine).
 *
 * Run: npx tsx bench/group/ingest.ts
 * Knobs: BENCH_ROUNDS (3), BENCH_DURATION_SEC (5), BENCH_CONNECTIONS (50),
 * BENCH_GROUP_SIZES (most participants per room, comma-separated; 8,50), BENCH_GROUP_REQUESTS
 * (requests planned per group case; 150000), BENCH_GROUP_LIVE_ROOMS (rooms live at once; 100),
 * BENCH_ONLY (case keys), BENCH_BASELINE_TREE (other checkouts, comma-separated, e.g. a
 * `git worktree add` of an earlier commit with `node_modules` linked in: each one's group
 * cases run too, keys `baseline-group-N`, `baseline2-group-N`, …, for before/after in one
 * run; the 1-to-1 baseline always runs from this checkout), CPU_PROF=1 (each server under `node --cpu-prof`, profiles in
 * bench/group/profiles/<case>-<round>/), and `--db
 * postgres://…@127.0.0.1/…` (or BENCH_PG_URL) for the same cases on PostgreSQL too.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { benchPostgresUrl, createBenchSchema } from '../postgres/bench-schema.js';
import { type GroupDeliveryPool, planGroupDeliveries } from './group-deliveries.js';
import { ROOT, serveArgs, startServer, stopServer } from './server-process.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION_SEC = Number(process.env.BENCH_DURATION_SEC ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP_SEC = 1;
const GROUP_SIZES = (process.env.BENCH_GROUP_SIZES ?? '8,50').split(',').map(Number);
const GROUP_REQUESTS = Number(process.env.BENCH_GROUP_REQUESTS ?? 150_000);
/** The cost of a group event may be at most this many 1-to-1 events (issue 17). */
const TARGET_RATIO = 1.5;
/** Other checkouts whose group cases run beside this one's (before/after in one run). */
const BASELINE_TREES = (process.env.BENCH_BASELINE_TREE ?? '').split(',').filter((t) => t !== '');
const PROFILES = process.env.CPU_PROF === '1' ? join(ROOT, 'bench', 'group', 'profiles') : null;

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  ok: number;
  failed: number;
  /** The server's CPU time (user + system) per answered request, ms. */
  cpuMs: number;
  /** Requests sent past the end of the planned pool (they repeat it: duplicates). */
  wrapped: number;
  /** Group cases: mean events of the room read by each rebuild in the measured load (stored events only). */
  rebuildEvents: number;
  stored: string;
}

/** Where the next request's path comes from, and what it has sent since the last `mark`. */
interface PathSource {
  next(): string;
  /** Starts counting afresh (after the warm-up). */
  mark(): void;
  /** Requests past the end of the pool (they repeat it: duplicates), and the mean rebuild size of stored events, since the mark. */
  counts(): { wrapped: number; rebuildEvents: number };
}

function oneToOnePaths(): PathSource {
  const values = validCallbackValues();
  const [before = '', after = ''] = new URLSearchParams(values).toString().split(values.sid ?? '');
  return { next: () => `/callbacks/call-event?${before}${randomUUID()}${after}`, mark: () => {}, counts: () => ({ wrapped: 0, rebuildEvents: Number.NaN }) };
}

function poolPaths(pool: GroupDeliveryPool): PathSource {
  let next = 0;
  let wrapped = 0;
  let stored = 0;
  let rebuilt = 0;
  return {
    next: () => {
      if (next >= pool.paths.length) wrapped++;
      const i = next++ % pool.paths.length;
      const size = pool.rebuilt[i] ?? 0;
      if (size > 0) {
        stored++;
        rebuilt += size;
      }
      return pool.paths[i] as string;
    },
    mark: () => {
      wrapped = 0;
      stored = 0;
      rebuilt = 0;
    },
    counts: () => ({ wrapped, rebuildEvents: rebuilt / Math.max(1, stored) }),
  };
}

async function cpuSeconds(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^process_cpu_seconds_total ([\d.e+-]+)$/m.exec(text)?.[1] ?? Number.NaN);
}

async function load(url: string, seconds: number, path: PathSource) {
  return autocannon({
    url, connections: CONNECTIONS, duration: seconds,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: path.next() }) }],
  });
}

/** Warm-up, then the measured load, against a started server. */
async function drive(url: string, paths: PathSource): Promise<Omit<Measured, 'stored'>> {
  await load(url, WARMUP_SEC, paths);
  paths.mark();
  const cpuBefore = await cpuSeconds(url);
  const r = await load(url, DURATION_SEC, paths);
  const cpuAfter = await cpuSeconds(url);
  const ok = r['2xx'];
  return {
    rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max,
    ok, failed: r.non2xx + r.errors + r.timeouts, cpuMs: ((cpuAfter - cpuBefore) * 1000) / Math.max(1, ok), ...paths.counts(),
  };
}

function sqliteCounts(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const n = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return `${n('calls')} calls, ${n('group_call_events')} group events, ${n('group_sessions')} sessions, ${n('group_stays')} stays`;
  } finally {
    db.close();
  }
}

interface Case {
  key: string;
  name: string;
  /** The room generator's most participants; undefined for 1-to-1. */
  size?: number;
  run: (dir: string, round: number) => Promise<Measured>;
}

/** The request source for a case: 1-to-1 callbacks, or a fresh pass over the group pool of its room size. */
function sourceFor(size: number | undefined, pools: Map<number, GroupDeliveryPool>): PathSource {
  if (size === undefined) return oneToOnePaths();
  return poolPaths(pools.get(size) as GroupDeliveryPool);
}

async function measureOn(profile: string, db: string, env: Record<string, string>, source: PathSource, count: () => Promise<string>, tree?: string): Promise<Measured> {
  let child: ChildProcess | undefined;
  try {
    const server = await startServer(serveArgs(db, tree), env, PROFILES === null ? [] : ['--cpu-prof', '--cpu-prof-dir', join(PROFILES, profile)]);
    child = server.child;
    const m = await drive(server.url, source);
    await stopServer(child);
    return { ...m, stored: await count() };
  } finally {
    if (child !== undefined) await stopServer(child);
  }
}

function sqliteCase(key: string, name: string, size: number | undefined, pools: Map<number, GroupDeliveryPool>, tree?: string): Case {
  return {
    key, name, size,
    run: (dir, round) => {
      const file = join(dir, `${key}-${round}.db`);
      return measureOn(`${key}-${round}`, file, {}, sourceFor(size, pools), async () => sqliteCounts(file), tree);
    },
  };
}

function postgresCase(pgUrl: string, key: string, name: string, size: number | undefined, pools: Map<number, GroupDeliveryPool>, tree?: string): Case {
  return {
    key, name, size,
    run: async (dir, round) => {
      const schema = await createBenchSchema(pgUrl);
      try {
        return await measureOn(`${key}-${round}`, schema.url, { SPOOL_FILE: join(dir, `spool-${key}-${round}.db`) }, sourceFor(size, pools),
          async () => `${await schema.countCalls()} calls`, tree);
      } finally {
        await schema.drop();
      }
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',');
  const pools = new Map<number, GroupDeliveryPool>();
  const t0 = performance.now();
  for (const size of GROUP_SIZES) pools.set(size, planGroupDeliveries(size, GROUP_REQUESTS, `bench-group-${size}`));
  process.stdout.write(`planned ${GROUP_SIZES.length} group pools in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  for (const [size, pool] of pools) {
    process.stdout.write(`  rooms of up to ${size}: ${pool.rooms} rooms, ${pool.liveRooms} live at once, ${pool.paths.length} requests (${pool.duplicates} duplicates), ` +
      `${pool.meanParticipants.toFixed(1)} participants and ${pool.meanEvents.toFixed(1)} events per room, ` +
      `${pool.meanEventsRebuilt.toFixed(1)} events in its room when an event is stored, on average (what a rebuild reads)\n`);
  }
  // This checkout's group cases, then each baseline tree's (`baseline-group-N`, …) right after, so that before and after alternate.
  const baselines = BASELINE_TREES.map((tree, i) => ({ tree, key: i === 0 ? 'baseline' : `baseline${i + 1}`, label: tree.split('/').filter(Boolean).at(-1) ?? tree }));
  const groupCases = (make: (key: string, name: string, size: number, tree?: string) => Case, prefix: string) =>
    GROUP_SIZES.flatMap((size) => {
      const name = `${prefix === '' ? '' : 'PostgreSQL: '}group events, rooms of up to ${size}`;
      return [make(`${prefix}group-${size}`, name, size), ...baselines.map((b) => make(`${prefix}${b.key}-group-${size}`, `${name}, callevt at ${b.label}`, size, b.tree))];
    });
  const pgUrl = benchPostgresUrl();
  const cases: Case[] = [
    sqliteCase('one-to-one', '1-to-1 Call Events (baseline)', undefined, pools),
    ...groupCases((key, name, size, tree) => sqliteCase(key, name, size, pools, tree), ''),
    ...(pgUrl === null ? [] : [
      postgresCase(pgUrl, 'pg-one-to-one', 'PostgreSQL: 1-to-1 Call Events (baseline)', undefined, pools),
      ...groupCases((key, name, size, tree) => postgresCase(pgUrl, key, name, size, pools, tree), 'pg-'),
    ]),
  ].filter((c) => only === undefined || only.includes(c.key));
  const dir = mkdtempSync(join(tmpdir(), 'callevt-bench-group-'));
  const rounds = new Map<string, Measured[]>(cases.map((c) => [c.key, []]));
  process.stdout.write(`${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, ${CONNECTIONS} connections, ` +
    `${ROUNDS} interleaved rounds of ${DURATION_SEC} s (after ${WARMUP_SEC} s warm-up), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const c of cases) {
        const m = await c.run(dir, round);
        rounds.get(c.key)?.push(m);
        process.stdout.write(`  round ${round} ${c.key}: ${m.rps.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, max ${m.max} ms, ` +
          `CPU ${m.cpuMs.toFixed(3)} ms/request, failed ${m.failed}${Number.isNaN(m.rebuildEvents) ? '' : `, ${m.rebuildEvents.toFixed(1)} room events per stored event`}${m.wrapped > 0 ? `, POOL EXHAUSTED: ${m.wrapped} repeated` : ''}; ${m.stored}\n`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  report(cases, rounds);
  process.stdout.write(`load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
}

function report(cases: Case[], rounds: Map<string, Measured[]>): void {
  process.stdout.write('\n| case | events/s | p50 ms | p99 ms | max ms (worst round) | server CPU ms per event | room events per stored event | cost per event ÷ 1-to-1 (per-round range) | CPU per event ÷ 1-to-1 | failed |\n' +
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n');
  for (const c of cases) {
    const ms = rounds.get(c.key) ?? [];
    const base = rounds.get(c.key.startsWith('pg-') ? 'pg-one-to-one' : 'one-to-one') ?? [];
    const ratios = ms.map((m, i) => (base[i]?.rps ?? Number.NaN) / m.rps);
    const ratio = median(base.map((m) => m.rps)) / median(ms.map((m) => m.rps));
    const verdict = c.size === undefined || base.length === 0 ? '' : ratio <= TARGET_RATIO ? ' ✓' : ' ✗';
    // CPU time per event is less disturbed by other work on a shared machine than the rate.
    const cpuRatio = median(ms.map((m) => m.cpuMs)) / median(base.map((m) => m.cpuMs));
    process.stdout.write(`| ${c.name} | ${median(ms.map((m) => m.rps)).toFixed(0)} | ${median(ms.map((m) => m.p50))} | ${median(ms.map((m) => m.p99))} | ` +
      `${Math.max(...ms.map((m) => m.max))} | ${median(ms.map((m) => m.cpuMs)).toFixed(3)} | ${c.size === undefined ? '–' : median(ms.map((m) => m.rebuildEvents)).toFixed(1)} | ` +
      `${ratio.toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})${verdict} | ${cpuRatio.toFixed(2)}× | ${ms.reduce((n, m) => n + m.failed, 0)} |\n`);
  }
}

await main();
