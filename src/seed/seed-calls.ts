import { createRequire } from 'node:module';
import { rebuildLifecycleRollups } from '../storage/sql/lifecycle-rollups.js';
import { driveSync } from '../storage/sql/sql-steps.js';
import { createSqliteExecutor } from '../storage/sqlite/sql-step-runner.js';
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { StatsCall } from '../domain/stats/figures.js';
import { carrySpill, nextSlotAfter, rollupCellsOf } from '../domain/stats/rollup-cells.js';
import { CALL_INSERT_COLUMNS } from '../storage/sql/call-columns.js';
import { ROLLUP_SQL } from '../storage/sql/rollup-refresh.js';
import { migrateSqlite } from '../storage/sqlite/migrate.js';
import { openSqlite } from '../storage/sqlite/open-sqlite.js';
import { createSqliteRollups } from '../storage/sqlite/rollups.js';
import { createSeedColumnsEncoder, SEED_NUMBER_FIELDS, SEED_STRING_FIELDS, type SeedCallColumns } from './seed-columns.js';
import { generateSeedChunks, type SeedCall, type SeedOptions } from './seed-generator.js';
import { SEED_WORKER_SIGNALS, SIGNAL, type SeedRollupMessage, type SeedRollupWorkerData } from './seed-rollup-worker-protocol.js';
import type { SqliteDatabase, SqliteStatement } from '../storage/sqlite/sqlite-driver.js';

/** Calls written per transaction (whole hours are kept together, so a chunk may be larger). */
export const SEED_CHUNK_CALLS = 100_000;

/** PRAGMA cache_size (KiB) for the index build at the end (bench/README.md: 1 GiB was slower). */
export const SEED_INDEX_CACHE_KIB = 262_144;

/** Rows per multi-row INSERT statement (the rest of a chunk goes through a one-row statement). */
export const SEED_ROWS_PER_INSERT = 50;

export interface SeedPhases {
  /** Making the synthetic calls (the generator). */
  generate: number;
  /** The INSERTs into calls, commits included. */
  insert: number;
  /** Computing and writing the rollup cells. */
  rollups: number;
  /** Building the secondary indexes at the end. */
  index: number;
}

export interface SeedResult {
  calls: number;
  seconds: number;
  /** Of `seconds`, the time spent building the secondary indexes at the end. */
  indexSeconds: number;
  /** Where `seconds` went, in seconds per phase (the rest is opening, migrating and pragmas). */
  phases: SeedPhases;
}

/** Tactics of the bulk load, switchable to measure each (bench/seed); the defaults are the fastest measured. */
export interface SeedTuning {
  /** Into an empty database: rollback journal in memory and an exclusive lock while seeding, WAL restored after. */
  bulkJournal?: boolean;
  /** Rows per INSERT statement. */
  rowsPerInsert?: number;
  /** SQLite sorter threads for the index build (PRAGMA threads). */
  sortThreads?: number;
  /** Into an empty database: compute the rollup cells in a worker thread while inserting. */
  rollupWorker?: boolean;
  /**
   * Into an empty database: keep the indexes led by setup_time or end_time while inserting
   * (calls come in time order, so their updates stay in a few recent pages) instead of
   * building them at the end (each build reads the whole table once more). Measured slower
   * at 10 M calls (bench/README.md), so off by default.
   */
  keepTimeIndexes?: boolean;
  /** PRAGMA mmap_size while seeding, in bytes (0: off). */
  mmapBytes?: number;
  /**
   * With the rollup worker: it also makes the calls for this thread (as flat columns,
   * transferred), so this thread only binds and inserts while the next chunk is made.
   */
  generateInWorker?: boolean;
  /** Calls per transaction (SEED_CHUNK_CALLS); small in tests, to go through many chunks. */
  chunkCalls?: number;
  /** PRAGMA cache_size while building the indexes at the end, in KiB (the sorter spills and sorts in threads beyond it). */
  indexCacheKiB?: number;
}

/** The columns the seed binds for each call, in table order (putRow writes them in this order). */
const SEED_BOUND_COLUMNS = [
  'sid', 'from_service_id', 'from_user_id', 'to_service_id', 'to_user_id', 'type', 'setup_time', 'start_time', 'end_time',
  'duration', 'billing_sec', 'terminate', 'disconnect_reason', 'releaser_type', 'rel_code', 'rel_code_str', 'content_hash',
  'received_at', 'outcome', 'ended_by', 'reason', 'reason_source', 'classifier_version',
];
/** The same value in every seeded call; any other column (an optional field) is NULL. */
const SEED_CONSTANTS: Readonly<Record<string, string>> = {
  srcip: "'198.51.100.7'", dstip: "'203.0.113.9'", extra: "'{}'", raw_request_id: '0', conflicts: '0',
};
const CALL_COLUMNS = CALL_INSERT_COLUMNS.map((c) => c.name).join(', ');
const ROW_VALUES = `(${CALL_INSERT_COLUMNS.map((c) => (SEED_BOUND_COLUMNS.includes(c.name) ? '?' : (SEED_CONSTANTS[c.name] ?? 'NULL'))).join(', ')})`;
/** Bound values per row, in ROW_VALUES order. */
const PARAMS_PER_ROW = SEED_BOUND_COLUMNS.length;

const NUMBERS = SEED_NUMBER_FIELDS.length;
const STRINGS = SEED_STRING_FIELDS.length;

/**
 * Inserts chunks of calls (as columns) in id order, `rows` per statement; the values
 * array is reused. The string table grows with each chunk's new strings.
 */
function createCallInserter(db: SqliteDatabase, rows: number): (calls: SeedCallColumns) => void {
  const prepare = (n: number): SqliteStatement =>
    db.prepare(`INSERT INTO calls (${CALL_COLUMNS}) VALUES ${Array.from({ length: n }, () => ROW_VALUES).join(', ')}`);
  const many = prepare(rows);
  const one = rows === 1 ? many : prepare(1);
  const manyValues = new Array<unknown>(rows * PARAMS_PER_ROW);
  const oneValues = new Array<unknown>(PARAMS_PER_ROW);
  const table: string[] = [];
  return (calls) => {
    for (const value of calls.newStrings) table.push(value);
    const sids = calls.sids.split('\n');
    const { numbers, strings } = calls;
    /** Writes call `i`'s values into `out` from `at` (ROW_VALUES order; fields in SEED_*_FIELDS order). */
    const putRow = (out: unknown[], at: number, i: number): void => {
      const n = i * NUMBERS;
      const s = i * STRINGS;
      const sid = sids[i] as string;
      const billing = numbers[n + 4] as number;
      out[at] = sid;
      out[at + 1] = table[strings[s] as number]; // from_service_id
      out[at + 2] = table[strings[s + 1] as number]; // from_user_id
      out[at + 3] = table[strings[s + 2] as number]; // to_service_id
      out[at + 4] = table[strings[s + 3] as number]; // to_user_id
      out[at + 5] = table[strings[s + 4] as number]; // type
      out[at + 6] = numbers[n]; // setup_time
      out[at + 7] = numbers[n + 1]; // start_time
      out[at + 8] = numbers[n + 2]; // end_time
      out[at + 9] = numbers[n + 3]; // duration
      out[at + 10] = Number.isNaN(billing) ? null : billing; // billing_sec
      out[at + 11] = numbers[n + 5]; // terminate
      out[at + 12] = numbers[n + 6]; // disconnect_reason
      out[at + 13] = numbers[n + 7]; // releaser_type
      out[at + 14] = numbers[n + 6]; // rel_code: the disconnect reason
      out[at + 15] = table[strings[s + 5] as number]; // rel_code_str
      out[at + 16] = `seed:${sid}`; // content_hash
      out[at + 17] = (numbers[n + 2] as number) * 1000; // received_at: the end, in ms
      out[at + 18] = table[strings[s + 6] as number]; // outcome
      out[at + 19] = table[strings[s + 7] as number]; // ended_by
      out[at + 20] = table[strings[s + 8] as number]; // reason
      out[at + 21] = table[strings[s + 9] as number]; // reason_source
      out[at + 22] = numbers[n + 8]; // classifier_version
    };
    let i = 0;
    for (; i + rows <= calls.count; i += rows) {
      for (let r = 0; r < rows; r++) putRow(manyValues, r * PARAMS_PER_ROW, i + r);
      many.run(manyValues);
    }
    for (; i < calls.count; i++) {
      putRow(oneValues, 0, i);
      one.run(oneValues);
    }
  };
}

/**
 * Reported with the progress once every call is inserted: the secondary index being built
 * (at 10 M calls they take about as long as the inserts), `built` of `total` done.
 */
export interface SeedStage {
  indexing: string;
  built: number;
  total: number;
}

/**
 * Fills a SQLite database with synthetic calls fast: big transactions of multi-row
 * prepared inserts, each chunk's rollups computed in memory and written once. This is a
 * bulk load, not acknowledged callbacks: durability is relaxed while seeding
 * (synchronous=OFF; into an empty database also the rollback journal in memory with an
 * exclusive lock instead of WAL), so a crash mid-seed leaves a partial or damaged seed.
 * WAL and synchronous=FULL are restored at the end. Seeded calls have no raw request
 * (raw_request_id 0) and a content hash of `seed:<sid>`.
 */
export function seedSqliteCalls(
  file: string,
  options: SeedOptions,
  onProgress?: (done: number, stage?: SeedStage) => void,
  tuning: SeedTuning = {},
): SeedResult {
  const started = performance.now();
  const phases: SeedPhases = { generate: 0, insert: 0, rollups: 0, index: 0 };
  const db = openSqlite(file);
  let bulk = false;
  let cellWorker: RollupWorker | undefined;
  try {
    migrateSqlite(db, Date.now());
    const wasEmpty = db.prepare('SELECT 1 FROM calls LIMIT 1').get() === undefined;
    bulk = wasEmpty && (tuning.bulkJournal ?? true) && file !== ':memory:';
    enterBulkLoad(db, bulk, { threads: tuning.sortThreads ?? 2, mmapBytes: tuning.mmapBytes ?? 0 });
    const rollups = createSqliteRollups(db);
    const chunkCalls = Math.max(1, tuning.chunkCalls ?? SEED_CHUNK_CALLS);
    // In an empty database each chunk's rollup cells are its hours' rollups: a worker
    // thread makes the same calls and computes them while this thread inserts.
    // It can also make the calls for this thread, which then only inserts them.
    if (wasEmpty && (tuning.rollupWorker ?? true)) cellWorker = startRollupWorker(options, chunkCalls, tuning.generateInWorker ?? true);
    // Into an empty table, building the secondary indexes once at the end is several
    // times faster than updating them row by row; whatever migrations created is restored.
    const keepTime = tuning.keepTimeIndexes ?? false;
    const indexes = wasEmpty
      ? (db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' AND sql IS NOT NULL").all() as Array<{ name: string; sql: string }>)
          .filter((index) => !(keepTime && /\bON\s+"?calls"?\s*\(\s*"?(setup_time|end_time)\b/i.test(index.sql)))
          // Partial indexes (calls_spill) hold few rows: kept while inserting, they spare a scan at the end.
          .filter((index) => !/\bWHERE\b/i.test(index.sql))
      : [];
    for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
    const insertCalls = createCallInserter(db, Math.max(1, tuning.rowsPerInsert ?? SEED_ROWS_PER_INSERT));
    let spill: StatsCall[] = [];
    const encode = createSeedColumnsEncoder();
    const writeChunk = db.transaction((columns: SeedCallColumns, calls?: SeedCall[]) => {
      insertCalls(columns);
      if (cellWorker !== undefined || calls === undefined) return;
      const t1 = performance.now();
      if (wasEmpty) {
        // Chunks hold whole hours in time order: the earlier hours' spilling calls make the peaks exact.
        rollups.insertCells(rollupCellsOf(calls, spill));
        spill = carrySpill(spill, calls, nextSlotAfter(calls));
      } else rollups.refreshSlots(calls.map((c) => c.setup_time));
      phases.rollups += performance.now() - t1;
    });
    let done = 0;
    const worker = cellWorker;
    const chunks = worker?.makesCalls === true ? undefined : generateSeedChunks(options, chunkCalls);
    for (;;) {
      // From the worker, "generate" is the wait for its next chunk; here, making and encoding it.
      const t0 = performance.now();
      let columns: SeedCallColumns | undefined;
      let calls: SeedCall[] | undefined;
      if (chunks === undefined) columns = worker?.nextCalls();
      else {
        const next = chunks.next();
        if (next.done !== true) {
          calls = next.value;
          columns = encode(calls);
        }
      }
      const t1 = performance.now();
      phases.generate += t1 - t0;
      if (columns === undefined) break;
      writeChunk.immediate(columns, calls);
      // The commit is part of the insert phase; rollups computed here are timed inside and taken out below.
      phases.insert += performance.now() - t1;
      done += columns.count;
      onProgress?.(done);
    }
    phases.insert -= phases.rollups;
    const indexStarted = performance.now();
    // A smaller cache makes the sorter spill sorted runs and merge them (in threads): faster than one big in-memory sort.
    db.pragma(`cache_size = -${tuning.indexCacheKiB ?? SEED_INDEX_CACHE_KIB}`);
    for (const [built, index] of indexes.entries()) {
      onProgress?.(done, { indexing: index.name, built, total: indexes.length });
      db.exec(index.sql);
    }
    phases.index = performance.now() - indexStarted;
    if (cellWorker !== undefined) {
      // Only the wait for the worker and the writes count: its work overlapped the inserts.
      const t0 = performance.now();
      const rows = cellWorker.finish();
      const insertRow = db.prepare(ROLLUP_SQL.insertRow);
      db.transaction(() => {
        for (const row of rows) insertRow.run(row);
      }).immediate();
      phases.rollups = performance.now() - t0;
    }
    if (wasEmpty) {
      // The quarter-hour rollups, from the calls just written (a day at a time, exact peaks).
      const t0 = performance.now();
      rollups.buildQuarters();
      phases.rollups += performance.now() - t0;
    }
    // The call lifecycle rollups (ends without a Notify, push failures), from every stored row.
    const t0 = performance.now();
    const execute = createSqliteExecutor(db);
    db.transaction(() => driveSync(rebuildLifecycleRollups('sqlite'), execute)).immediate();
    phases.rollups += performance.now() - t0;
    restoreDurability(db, bulk);
    bulk = false;
    for (const k of Object.keys(phases) as Array<keyof SeedPhases>) phases[k] /= 1000;
    return { calls: done, seconds: (performance.now() - started) / 1000, indexSeconds: phases.index, phases };
  } finally {
    cellWorker?.stop();
    if (bulk) restoreDurability(db, bulk);
    db.close();
  }
}

interface RollupWorker {
  /** Whether the worker makes the calls for this thread too (read them with nextCalls). */
  makesCalls: boolean;
  /** Waits (blocking) for the worker's next chunk of calls; undefined once it has sent them all. */
  nextCalls(): SeedCallColumns | undefined;
  /** Waits (blocking) until the worker has finished; its rollup rows, or throws its error. */
  finish(): unknown[][];
  stop(): void;
}

/** Starts seed-rollup-worker: the compiled .js, or from source (tests, benchmarks) the .ts through tsx's loader. */
function startRollupWorker(options: SeedOptions, chunkCalls: number, makesCalls: boolean): RollupWorker {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './seed-rollup-worker.ts' : './seed-rollup-worker.js', import.meta.url);
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(SEED_WORKER_SIGNALS * 4));
  const data: SeedRollupWorkerData = { options, chunkCalls, port: port2, signal, sendCalls: makesCalls };
  const init = { workerData: data, transferList: [port2] };
  let worker: Worker;
  if (fromSource) {
    // A worker does not inherit tsx's hooks (and breaks on the inherited flags): register them in it.
    const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
    worker = new Worker(boot, { ...init, eval: true, execArgv: [] });
  } else {
    worker = new Worker(url, init);
  }
  worker.unref();
  let failure: string | undefined;
  worker.on('error', (error) => {
    failure = String(error);
  });
  const rows: unknown[][] = [];
  let waited = 0;
  let callsEnded = false;
  /** The next chunk of calls (undefined after the last); with `wantCalls` false, reads on until the worker has finished. */
  const read = (wantCalls: boolean): SeedCallColumns | undefined => {
    // Blocks this thread (no events arrive meanwhile): once started, the worker always
    // signals when done, failing or not; one that never started is given up after a minute.
    if (callsEnded && wantCalls) return undefined;
    for (;;) {
      // Read before the messages: whatever the worker posts after this changes `events` and ends the wait at once.
      const events = Atomics.load(signal, SIGNAL.events);
      const finished = Atomics.load(signal, SIGNAL.finished) === 1;
      for (let m = receiveMessageOnPort(port1); m !== undefined; m = receiveMessageOnPort(port1)) {
        const message = m.message as SeedRollupMessage;
        if ('error' in message) throw new Error(`seed rollup worker failed: ${message.error}`);
        if ('rows' in message) {
          for (const row of message.rows) rows.push(row);
          continue;
        }
        if ('callsEnd' in message) {
          callsEnded = true;
          if (wantCalls) return undefined;
          continue;
        }
        Atomics.add(signal, SIGNAL.callsTaken, 1);
        Atomics.notify(signal, SIGNAL.callsTaken);
        return message.calls;
      }
      if (finished) return undefined;
      if (Atomics.wait(signal, SIGNAL.events, events, 1_000) === 'timed-out' && Atomics.load(signal, SIGNAL.started) === 0 && ++waited >= 60) {
        throw new Error(`seed rollup worker did not start${failure === undefined ? '' : `: ${failure}`}`);
      }
    }
  };
  return {
    makesCalls,
    nextCalls: () => read(true),
    finish() {
      while (read(false) !== undefined) {
        // Calls nobody asked for (none when this thread read them all): only the rollup rows matter here.
      }
      return rows;
    },
    stop() {
      port1.close();
      void worker.terminate();
    },
  };
}

/**
 * The settings a seed writes under: synchronous=OFF, a 1 GiB page cache, temporary data in
 * memory, `threads` sorter threads and, when given, `mmapBytes` of memory-mapped I/O; when
 * `bulk` (into an empty database), also the rollback journal in memory with an exclusive
 * lock. restoreDurability undoes them.
 */
export function enterBulkLoad(db: SqliteDatabase, bulk: boolean, settings: { threads: number; mmapBytes?: number }): void {
  if (bulk) {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = MEMORY');
  }
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1048576');
  db.pragma('temp_store = MEMORY');
  db.pragma(`threads = ${settings.threads}`);
  if (settings.mmapBytes !== undefined) db.pragma(`mmap_size = ${settings.mmapBytes}`);
}

/** Back to what openSqlite set: WAL, synchronous=FULL, normal locking (after a bulk load, when `bulk`). */
export function restoreDurability(db: SqliteDatabase, bulk: boolean): void {
  if (bulk) {
    db.pragma('locking_mode = NORMAL');
    db.pragma('journal_mode = WAL');
  }
  db.pragma('synchronous = FULL');
  db.pragma('threads = 0');
  db.pragma('mmap_size = 0');
}
