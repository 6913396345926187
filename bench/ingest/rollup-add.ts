/**
 * The rollup part of an ingest transaction, alone (no HTTP, no fsync: an in-memory SQLite
 * database): adding batches of BENCH_BATCH live calls to the hour and quarter-hour rows,
 * (a) as ingest does now, one upsert per cell merging in SQL (rollup-merge-sql.ts), and
 * (b) as before, each row read, merged in JavaScript (mergeNewCells) and written back.
 * The two alternate, BENCH_ROUNDS rounds of BENCH_BATCHES batches each, on databases of
 * their own; medians of µs per batch.
 * Run: BENCH_BATCH=4 npx tsx bench/ingest/rollup-add.ts
 */
import type { StatsCall } from '../../src/domain/stats/figures.js';
import type { RollupCell } from '../../src/domain/stats/rollup-cells.js';
import { ROLLUP_GRAINS } from '../../src/storage/sql/rollup-refresh.js';
import { mergeNewCells, rollupAddSql, talkingSlots } from '../../src/storage/sql/rollup-add.js';
import { cellToValues, type RollupRow } from '../../src/storage/sql/rollup-rows.js';
import { stalePeakSql } from '../../src/storage/sql/stale-peaks.js';
import { migrateSqlite } from '../../src/storage/sqlite/migrate.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import { createSqliteRollups } from '../../src/storage/sqlite/rollups.js';
import type { SqliteDatabase } from '../../src/storage/sqlite/sqlite-driver.js';

const BATCH = Number(process.env.BENCH_BATCH ?? 4);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 2_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const NOW = 1_764_806_400;
/** BENCH_VARIED_DURATIONS=0: every call talks 120 s (one histogram bucket, as the ingest benchmark's fixture); else 30–429 s. */
const VARIED_DURATIONS = process.env.BENCH_VARIED_DURATIONS !== '0';

/** Live calls of the current hour, outcomes and services varied as in traffic. */
function liveCalls(n: number, seed: number): StatsCall[] {
  return Array.from({ length: n }, (_, i) => {
    const k = seed * n + i;
    const setup = NOW + (k % 3000);
    const talk = k % 7 === 0 ? 0 : VARIED_DURATIONS ? 30 + (k % 400) : 120;
    return {
      setup_time: setup, start_time: talk > 0 ? setup + 5 : 0, end_time: setup + 5 + talk, duration: talk, billing_sec: talk > 0 ? talk : null,
      outcome: talk > 0 ? (k % 11 === 0 ? 'dropped' : 'completed') : 'no_answer', reason: talk > 0 ? 'normal' : 'no_answer', terminate: 0,
      ended_by: k % 2 === 0 ? 'caller' : 'callee', type: k % 5 === 0 ? 'V' : 'A',
      from_service_id: `svc-${k % 3}`, to_service_id: `svc-${k % 4}`, from_user_id: `u${k}`, to_user_id: `v${k}`,
    };
  });
}

/** The ingest path before: each touched row read, merged in JavaScript, written back. */
function readMergeWrite(db: SqliteDatabase) {
  const prepared = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
  const statement = (sql: string) => {
    let s = prepared.get(sql);
    if (s === undefined) prepared.set(sql, (s = db.prepare(sql)));
    return s;
  };
  return (calls: readonly StatsCall[]) => {
    for (const grain of ROLLUP_GRAINS) {
      const add = rollupAddSql(grain);
      for (const slot of talkingSlots(calls, grain)) statement(stalePeakSql(grain).markStale).run(slot);
      const existing = (cell: RollupCell) => statement(add.selectRow).get(cell.dim, cell.slot, cell.value) as RollupRow | undefined;
      for (const cell of mergeNewCells(calls, existing, grain)) statement(add.upsertRow).run(...cellToValues(cell));
    }
  };
}

/** µs per batch of one round on a fresh in-memory database. */
function timeRound(kind: 'sql merge' | 'read, merge, write', round: number): number {
  const db = openSqlite(':memory:');
  try {
    migrateSqlite(db, 0);
    const rollups = createSqliteRollups(db);
    const add = kind === 'sql merge' ? (calls: readonly StatsCall[]) => rollups.addCalls(calls, { grains: ROLLUP_GRAINS, blocks: false }) : readMergeWrite(db);
    const inTransaction = db.transaction(add);
    const batches = Array.from({ length: BATCHES }, (_, b) => liveCalls(BATCH, round * BATCHES + b));
    const started = performance.now();
    for (const batch of batches) inTransaction(batch);
    return ((performance.now() - started) * 1000) / BATCHES;
  } finally {
    db.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const results = { 'sql merge': [] as number[], 'read, merge, write': [] as number[] };
for (let round = 0; round < ROUNDS; round += 1) {
  for (const kind of Object.keys(results) as Array<keyof typeof results>) results[kind].push(timeRound(kind, round));
}
process.stdout.write(`rollup rows of ${BATCH} live calls per transaction, ${BATCHES} transactions × ${ROUNDS} rounds (in-memory SQLite)\n`);
for (const [kind, us] of Object.entries(results)) {
  process.stdout.write(`${kind.padEnd(20)} median ${median(us).toFixed(0)} µs per batch (rounds ${us.map((u) => u.toFixed(0)).join(', ')})\n`);
}
