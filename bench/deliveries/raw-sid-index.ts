/**
 * What finding raw requests by sid costs at ingest and how fast it finds them, in one run:
 * the commit path of bench/ingest/commit-batches.ts (recordCallbacks() batches of 50
 * deliveries on the SQLite store, background checkpoints, batch n's calls in hour n) on
 * copies of one database holding FILLED calls AND as many raw requests, rounds interleaved,
 * with three indexes on raw_requests: none (the baseline: lookups scan), the full index on
 * sid of migration 3, and the partial index of migration 6 (as migrated: only requests not
 * accepted, the first delivery found through its call); then listDeliveries(sid) on each,
 * and the WAL frames each commit wrote.
 * Run: npx tsx bench/deliveries/raw-sid-index.ts
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { toCallbackRecord } from '../../src/ingest/receive-callback.js';
import { createSqliteCallbackRecorder } from '../../src/storage/sqlite/record-callbacks.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { fillCalls } from '../ingest/fill-calls.js';

const BATCH = 50;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 400);
const FILLED = Number(process.env.BENCH_FILLED_CALLS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** Lookups per round: without the index each one scans every raw request (about a second at 1,000,000). */
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 20);
/** Batches committed on a non-checkpointing connection to count WAL frames per commit. */
const FRAME_BATCHES = 50;

function delivery(batchIndex: number) {
  const setup = 1_700_000_000 + batchIndex * 3600;
  const values = validCallbackValues({ setup_time: String(setup), start_time: String(setup + 5), end_time: String(setup + 125) });
  const raw = { receivedAt: Date.now(), method: 'GET', path: '/callbacks/call-event', query: new URLSearchParams(values).toString(), body: null, contentType: null, sourceIp: '127.0.0.1' };
  return toCallbackRecord(raw, new Map(Object.entries(values)), []);
}

/** One accepted raw request per filled call, with the call's sid, as ingest would have left them. */
function fillRawRequests(file: string): void {
  const db = new Database(file);
  db.pragma('synchronous = OFF');
  const query = new URLSearchParams(validCallbackValues()).toString();
  db.exec(`INSERT INTO raw_requests (received_at, method, path, query, body, content_type, source_ip, result, sid)
    SELECT received_at, 'GET', '/callbacks/call-event', '${query}', NULL, NULL, '127.0.0.1', 'accepted', sid FROM calls ORDER BY received_at`);
  // A temporary index for the link (migration 6 indexes only requests not accepted).
  db.exec('CREATE INDEX fill_raw_sid ON raw_requests (sid)');
  db.exec('UPDATE calls SET raw_request_id = (SELECT id FROM raw_requests r WHERE r.sid = calls.sid)');
  db.exec('DROP INDEX fill_raw_sid');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

type Variant = 'none' | 'full' | 'partial';
const VARIANTS: readonly Variant[] = ['none', 'full', 'partial'];
const LABELS: Record<Variant, string> = {
  none: 'none (baseline)', full: 'full, on every request (migration 3)', partial: 'after the first delivery (migration 6)',
};

async function round(file: string, variant: Variant): Promise<{ batches: number[]; lookupMs: number; frames: number }> {
  const db = new Database(file);
  if (variant !== 'partial') db.exec('DROP INDEX raw_requests_sid_repeat');
  if (variant === 'full') db.exec('CREATE INDEX raw_requests_sid ON raw_requests (sid)');
  // WAL frames per commit, counted first on a connection that never checkpoints.
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('wal_checkpoint(TRUNCATE)');
  const record = createSqliteCallbackRecorder(db).record;
  for (let n = 0; n < FRAME_BATCHES; n++) record(Array.from({ length: BATCH }, () => delivery(BATCHES + n)));
  const frames = ((db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0]?.log ?? 0) / FRAME_BATCHES;
  db.close();
  const store = createSqliteStore(file);
  const batches: number[] = [];
  try {
    for (let n = 0; n < BATCHES; n++) {
      const batch = Array.from({ length: BATCH }, () => delivery(n));
      const started = performance.now();
      await store.recordCallbacks(batch);
      batches.push(performance.now() - started);
    }
    const reader = new Database(file, { readonly: true });
    const sids = reader.prepare(`SELECT sid FROM calls ORDER BY random() LIMIT ${LOOKUPS}`).pluck().all() as string[];
    reader.close();
    const started = performance.now();
    for (const sid of sids) await store.listDeliveries(sid);
    return { batches: batches.sort((a, b) => a - b), lookupMs: (performance.now() - started) / sids.length, frames };
  } finally {
    await store.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'callevt-sid-index-bench-'));
try {
  const master = join(dir, 'master.db');
  fillCalls(master, FILLED);
  const fillStarted = performance.now();
  fillRawRequests(master);
  const probe = new Database(master);
  probe.pragma('wal_checkpoint(TRUNCATE)'); // the copies are of the file alone
  probe.close();
  process.stdout.write(`filled ${FILLED.toLocaleString('en')} calls and raw requests (raw requests ${((performance.now() - fillStarted) / 1000).toFixed(1)} s)\n`);
  const results = Object.fromEntries(VARIANTS.map((v) => [v, { batches: [] as number[], lookups: [] as number[], frames: [] as number[] }])) as Record<Variant, { batches: number[]; lookups: number[]; frames: number[] }>;
  for (let r = 0; r < ROUNDS; r++) {
    for (const variant of r % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
      const file = join(dir, `round-${r}-${variant}.db`);
      copyFileSync(master, file);
      const { batches, lookupMs, frames } = await round(file, variant);
      results[variant].batches.push(...batches);
      results[variant].lookups.push(lookupMs);
      results[variant].frames.push(frames);
      rmSync(file, { force: true });
      rmSync(`${file}-wal`, { force: true });
      rmSync(`${file}-shm`, { force: true });
    }
  }
  process.stdout.write(`| raw_requests by sid | mean ms / batch of ${BATCH} | p50 | p99 | deliveries/s of commit time | WAL frames / commit | listDeliveries ms (mean of ${LOOKUPS}) |\n|---|---:|---:|---:|---:|---:|---:|\n`);
  for (const variant of VARIANTS) {
    const t = results[variant].batches.sort((a, b) => a - b);
    const mean = t.reduce((a, b) => a + b, 0) / t.length;
    const at = (q: number) => (t[Math.min(t.length - 1, Math.floor(q * t.length))] ?? 0).toFixed(2);
    const avg = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    process.stdout.write(`| ${LABELS[variant]} | ${mean.toFixed(2)} | ${at(0.5)} | ${at(0.99)} | ${((BATCH * 1000) / mean).toFixed(0)} | ${avg(results[variant].frames).toFixed(1)} | ${avg(results[variant].lookups).toFixed(3)} |\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
