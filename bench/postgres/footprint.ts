/**
 * Storage footprint and direct ingest rate, PostgreSQL against a SQLite baseline in the
 * same run: records N synthetic calls through the storage port in group-commit-sized
 * batches, then reports bytes per call (tables + indexes), WAL bytes per call (PostgreSQL;
 * cluster-wide, so other work on the server inflates it), calls per second, and how fast
 * `prune` deletes them all again (rows of calls + raw requests per second).
 *
 *   npx tsx bench/postgres/footprint.ts [--calls 50000] [--batch 256] [--per-hour 72000] [--pg postgres://...]
 *
 * --per-hour sets how many calls share one setup_time hour: ingest refreshes the statistics
 * rollup of each hour it touches, so this shows what a busy hour costs.
 *
 * Bounded: at most 500,000 calls; loopback only; its schema and temp files are removed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { toCallbackRecord } from '../../src/ingest/receive-callback.js';
import { pruneDatabase } from '../../src/storage/open-store.js';
import type { CallbackRecord, CallStore } from '../../src/storage/port.js';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';

const MAX_CALLS = 500_000;
const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '50000' }, batch: { type: 'string', default: '256' },
    'per-hour': { type: 'string', default: '72000' }, pg: { type: 'string' },
  },
});
const calls = Math.min(MAX_CALLS, Number(args.calls));
const batch = Number(args.batch);
const perHour = Math.max(1, Number(args['per-hour']));
const pgUrl = args.pg ?? process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
if (!/^postgres(ql)?:\/\/[^/]*(127\.0\.0\.1|localhost)[:/]/.test(pgUrl)) throw new Error('the benchmark runs on loopback only');

/** A realistic delivery: ~400-byte query, a mix of connected and failed calls. */
function delivery(i: number): CallbackRecord {
  const setup = 1_760_000_400 + Math.floor((i * 3600) / perHour);
  const connected = i % 10 < 7;
  const duration = connected ? 30 + (i % 300) : 0;
  const values: Record<string, string> = {
    sid: randomUUID(), from_service_id: 'linecorp.com', from_user_id: `user${i % 100_000}`,
    to_service_id: 'linecorp.com', to_user_id: `user${(i * 7) % 100_000}`, type: i % 3 === 0 ? 'V' : 'A',
    setup_time: String(setup), start_time: String(connected ? setup + 5 : 0),
    end_time: String(setup + 5 + duration), duration: String(duration), billing_sec: String(duration),
    srcip: '203.0.113.10', dstip: '198.51.100.20', terminate: connected ? '16' : ['17', '18', '21'][i % 3]!,
    disconnect_reason: connected ? '1001' : '1100', releaser_type: '1', rel_code: '1',
    rel_code_str: connected ? 'NORMAL' : 'CANCEL', app_svr_data: randomBytes(24).toString('base64url'),
  };
  const query = new URLSearchParams(values).toString();
  const raw = { receivedAt: setup * 1000 + 900, method: 'GET', path: '/callbacks/call-event', query, body: null, contentType: null, sourceIp: '203.0.113.1' };
  return toCallbackRecord(raw, new Map(Object.entries(values)), []);
}

async function ingest(store: CallStore): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i += batch) {
    await store.recordCallbacks(Array.from({ length: Math.min(batch, calls - i) }, (_, k) => delivery(i + k)));
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Prunes everything just stored; rows (calls + raw requests) deleted per second. */
async function timePrune(url: string): Promise<number> {
  const started = process.hrtime.bigint();
  const result = await pruneDatabase(url, { before: 2_000_000_000 }, 2_000_000_000_000);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.calls !== calls) throw new Error(`pruned ${result.calls} calls of ${calls}`);
  return (result.calls + result.raw_requests) / seconds;
}

async function sqliteBaseline() {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-footprint-'));
  const file = join(dir, 'f.db');
  const store = createSqliteStore(file);
  try {
    const seconds = await ingest(store);
    await store.close();
    const bytes = statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0);
    const pruneRowsPerSec = await timePrune(file);
    return { backend: 'sqlite', seconds, callsPerSec: calls / seconds, bytesPerCall: bytes / calls, walBytesPerCall: null, pruneRowsPerSec };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres() {
  const schema = `callevt_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(pgUrl);
  url.searchParams.set('schema', schema);
  try {
    const store = await createPostgresStore(url.toString());
    const lsn = async () => (await admin.query('SELECT pg_current_wal_insert_lsn() AS l')).rows[0].l as string;
    const before = await lsn();
    const seconds = await ingest(store);
    const after = await lsn();
    await store.close();
    const wal = Number((await admin.query('SELECT pg_wal_lsn_diff($1, $2) AS d', [after, before])).rows[0].d);
    const size = await admin.query(
      `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`, [schema]);
    const tables = Object.fromEntries(size.rows.map((r) => [r.name, Math.round(Number(r.bytes) / calls)]));
    const bytes = size.rows.reduce((n, r) => n + Number(r.bytes), 0);
    const pruneRowsPerSec = await timePrune(url.toString());
    return { backend: 'postgres', seconds, callsPerSec: calls / seconds, bytesPerCall: bytes / calls, walBytesPerCall: wal / calls, pruneRowsPerSec, tables };
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;
const results = [await sqliteBaseline(), await postgres()];
console.log(JSON.stringify({ machine, calls, batch, perHour, results }, null, 2));
for (const r of results) {
  const wal = r.walBytesPerCall === null ? '–' : Math.round(r.walBytesPerCall);
  console.log(`| ${r.backend} | ${calls} | ${perHour} | ${batch} | ${Math.round(r.callsPerSec)} | ${Math.round(r.bytesPerCall)} | ${wal} | ${Math.round(r.pruneRowsPerSec)} |`);
}
