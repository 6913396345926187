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
import { createRandom } from '../../src/seed/seed-generator.js';
import { bulkInsertCalls } from '../fill/bulk-insert-calls.js';

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

const OUTCOMES: Array<[string, number, string, string]> = [
  ['completed', 0.7, 'NORMAL', 'caller'],
  ['dropped', 0.03, 'NETWORK_UNSTABLE', 'server'],
  ['canceled', 0.08, 'CANCEL', 'caller'],
  ['rejected', 0.05, 'DECLINE', 'callee'],
  ['busy', 0.04, 'BUSY', 'callee'],
  ['no_answer', 0.07, 'NOANSWER', 'server'],
  ['failed', 0.03, 'PUSH_ERROR', 'server'],
];

/** Fills the migrated database `file` with CALLS calls, seeded: the same data every run. */
function fill(file: string): number {
  const started = performance.now();
  const random = createRandom(42);
  const user = () => (random() < HEAVY_SHARE ? 'callcenter' : `user${Math.floor(random() * USERS)}`);
  bulkInsertCalls(file, CALLS, {
    fixed: {
      from_service_id: 'svc.example', to_service_id: 'svc.example', stid: null, app_svr_data: null, srcip: '10.0.0.1', dstip: '10.0.0.2',
      terminate: 16, disconnect_reason: 1001, releaser_type: 2, call_end_reason: null, releaser: null, rel_code: 1, rel_code_str: 'NORMAL',
      user_rel_code: null, extra: '{}', content_hash: 'h', conflicts: 0, reason_source: 'disconnect_reason', classifier_version: CLASSIFIER_VERSION,
    },
    varying: ['sid', 'from_user_id', 'to_user_id', 'type', 'setup_time', 'start_time', 'end_time', 'duration', 'billing_sec', 'received_at', 'raw_request_id', 'outcome', 'ended_by', 'reason'],
    setRow: (row, i) => {
      const setup = T_START + Math.floor(((i + random()) / CALLS) * (T_END - T_START));
      let r = random();
      const [outcome, , reason, endedBy] = OUTCOMES.find(([, share]) => (r -= share) < 0) ?? OUTCOMES[0]!;
      const connected = outcome === 'completed' || outcome === 'dropped';
      const duration = connected ? Math.floor(random() * 900) + 1 : 0;
      const start = connected ? setup + 5 : 0;
      const caller = user();
      let callee = user();
      if (callee === caller) callee = `user${(i % USERS) + 1}x`;
      row.sid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      row.from_user_id = caller;
      row.to_user_id = callee;
      row.type = random() < 0.3 ? 'A' : 'V';
      row.setup_time = setup;
      row.start_time = start;
      row.end_time = (connected ? start : setup) + duration + 10;
      row.duration = duration;
      row.billing_sec = duration;
      row.received_at = setup * 1000;
      row.raw_request_id = i + 1;
      row.outcome = outcome;
      row.ended_by = endedBy;
      row.reason = reason;
    },
  });
  const db = new Database(file);
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
    const random = createRandom(7);
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
