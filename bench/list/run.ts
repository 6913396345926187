/**
 * Call log listing at scale: with BENCH_LIST_CALLS (default 1,000,000) calls stored in
 * SQLite, how long one filtered page of 50 takes, in server time (the store query, and
 * the whole in-process HTTP request via app.inject: routing, parsing, query, JSON).
 * Baseline, same run, same data: the same queries after dropping the indexes they use.
 *
 * Run: npx tsx bench/list/run.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/config/load-config.js';
import type { CallFilter } from '../../src/domain/call-filter.js';
import { buildApp } from '../../src/http/build-app.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { CLASSIFIER_VERSION } from '../../src/domain/classify/release-codes.js';

const CALLS = Number(process.env.BENCH_LIST_CALLS ?? 1_000_000);
const USERS = 20_000;
/** Share of calls that involve one very busy user (a call centre). */
const HEAVY_SHARE = 0.02;
const DAYS = 90;
const T_END = 1_767_225_600; // 2026-01-01T00:00:00Z
const T_START = T_END - DAYS * 86_400;
const RUNS = Number(process.env.BENCH_LIST_RUNS ?? 300);
const BASELINE_RUNS = Number(process.env.BENCH_LIST_BASELINE_RUNS ?? 8);
const PAGE = 50;

/** A seeded PRNG (mulberry32): the same data every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const OUTCOMES: Array<[string, number, string, string]> = [
  ['completed', 0.7, 'NORMAL', 'caller'],
  ['dropped', 0.03, 'NETWORK_UNSTABLE', 'server'],
  ['canceled', 0.08, 'CANCEL', 'caller'],
  ['rejected', 0.05, 'DECLINE', 'callee'],
  ['busy', 0.04, 'BUSY', 'callee'],
  ['no_answer', 0.07, 'NOANSWER', 'server'],
  ['failed', 0.03, 'PUSH_ERROR', 'server'],
];

function fill(file: string): number {
  const started = performance.now();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF'); // bulk load only; the store reopens with FULL
  const insert = db.prepare(`INSERT INTO calls (
    sid, from_service_id, from_user_id, to_service_id, to_user_id, type, stid, app_svr_data,
    setup_time, start_time, end_time, duration, billing_sec, srcip, dstip, terminate,
    disconnect_reason, releaser_type, call_end_reason, releaser, rel_code, rel_code_str,
    user_rel_code, extra, content_hash, received_at, raw_request_id, conflicts,
    outcome, ended_by, reason, reason_source, classifier_version)
    VALUES (?, 'svc.example', ?, 'svc.example', ?, ?, NULL, NULL, ?, ?, ?, ?, ?, '10.0.0.1', '10.0.0.2', 16,
    1001, 2, NULL, NULL, 1, 'NORMAL', NULL, '{}', 'h', ?, ?, 0, ?, ?, ?, 'disconnect_reason', ?)`);
  const random = rng(42);
  const user = () => (random() < HEAVY_SHARE ? 'callcenter' : `user${Math.floor(random() * USERS)}`);
  const insertMany = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const setup = T_START + Math.floor(((i + random()) / CALLS) * (T_END - T_START));
      let r = random();
      const [outcome, , reason, endedBy] = OUTCOMES.find(([, share]) => (r -= share) < 0) ?? OUTCOMES[0]!;
      const connected = outcome === 'completed' || outcome === 'dropped';
      const duration = connected ? Math.floor(random() * 900) + 1 : 0;
      const start = connected ? setup + 5 : 0;
      const caller = user();
      let callee = user();
      if (callee === caller) callee = `user${(i % USERS) + 1}x`;
      insert.run(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, caller, callee, random() < 0.3 ? 'A' : 'V',
        setup, start, (connected ? start : setup) + duration + 10, duration, duration, setup * 1000, i + 1,
        outcome, endedBy, reason, CLASSIFIER_VERSION);
    }
  });
  for (let i = 0; i < CALLS; i += 50_000) insertMany(i, Math.min(CALLS, i + 50_000));
  db.exec('ANALYZE');
  db.close();
  return performance.now() - started;
}

interface Case {
  name: string;
  /** A fresh filter each run, so runs do not all hit the same cached pages. */
  filter: (r: () => number) => CallFilter;
  query: (f: CallFilter) => string;
}

const qs = (f: CallFilter) =>
  new URLSearchParams(
    Object.entries(f).flatMap(([k, v]): Array<[string, string]> => (k === 'time_field' || v === undefined ? [] : [[k, Array.isArray(v) ? v.join(',') : String(v)]])),
  ).toString();

const hourAt = (r: () => number) => T_START + Math.floor(r() * (DAYS * 24 - 1)) * 3_600;
const CASES: Case[] = [
  { name: 'by user (either party)', filter: (r) => ({ time_field: 'setup_time', user: `user${Math.floor(r() * USERS)}` }), query: qs },
  { name: 'by time range (1 h)', filter: (r) => { const from = hourAt(r); return { time_field: 'setup_time', from, to: from + 3_600 }; }, query: qs },
  { name: 'by time range (7 d), outcome=failed', filter: (r) => { const from = hourAt(r) - 7 * 86_400; return { time_field: 'setup_time', from: Math.max(T_START, from), to: Math.max(T_START, from) + 7 * 86_400, outcome: ['failed'] }; }, query: qs },
  { name: 'by user + time range (30 d)', filter: (r) => { const from = T_START + Math.floor(r() * 60) * 86_400; return { time_field: 'setup_time', user: `user${Math.floor(r() * USERS)}`, from, to: from + 30 * 86_400 }; }, query: qs },
  { name: 'heavy user (~20k calls), newest page', filter: () => ({ time_field: 'setup_time', user: 'callcenter' }), query: qs },
  { name: 'by end_time range (1 h)', filter: (r) => { const from = hourAt(r); return { time_field: 'end_time', from, to: from + 3_600 }; }, query: (f) => `${qs(f)}&time_field=end_time` },
];

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

async function measure(file: string, runs: number, label: string) {
  const store = createSqliteStore(file);
  const { app } = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), store });
  await app.ready();
  const rows: Array<Record<string, string | number>> = [];
  for (const c of CASES) {
    const random = rng(7);
    const storeMs: number[] = [];
    const httpMs: number[] = [];
    let items = 0;
    for (let i = 0; i < runs + 3; i++) {
      const filter = c.filter(random);
      const t0 = performance.now();
      const page = await store.listCalls({ filter, limit: PAGE });
      const t1 = performance.now();
      const res = await app.inject({ url: `/api/calls?limit=${PAGE}&${c.query(filter)}` });
      const t2 = performance.now();
      if (res.statusCode !== 200) throw new Error(`${c.name}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      if (i < 3) continue; // warm-up
      items += page.calls.length;
      storeMs.push(t1 - t0);
      httpMs.push(t2 - t1);
    }
    const s = stats(storeMs);
    const h = stats(httpMs);
    rows.push({ label, case: c.name, 'avg items': (items / runs).toFixed(1), 'store p50': s.p50.toFixed(2), 'store p99': s.p99.toFixed(2), 'http p50': h.p50.toFixed(2), 'http p95': h.p95.toFixed(2), 'http p99': h.p99.toFixed(2), 'http max': h.max.toFixed(2) });
  }
  await app.close();
  await store.close();
  return rows;
}

const dir = mkdtempSync(join(tmpdir(), 'callevt-bench-list-'));
try {
  const file = join(dir, 'bench.db');
  await createSqliteStore(file).close(); // schema and migrations
  const fillMs = fill(file);
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; other engineers' work shares the CPU`);
  console.log(`stored ${CALLS.toLocaleString('en')} calls (${USERS} users + one heavy user, ${DAYS} days) in ${(fillMs / 1000).toFixed(1)} s`);
  const indexed = await measure(file, RUNS, 'indexed');
  console.table(indexed);
  // Baseline: the same queries without the indexes they use (full scans), same data, same run.
  const db = new Database(file);
  const dropped = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' AND sql IS NOT NULL").all() as Array<{ name: string }>).map((r) => r.name);
  for (const name of dropped) db.exec(`DROP INDEX ${name}`);
  db.close();
  console.log(`baseline: dropped indexes ${dropped.join(', ')}`);
  const baseline = await measure(file, BASELINE_RUNS, 'no index (baseline)');
  console.table(baseline);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
