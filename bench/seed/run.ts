// Seed throughput: seeds N calls over D days into a temp SQLite file with seedSqliteCalls
// (what `callevt seed` runs) and prints the rate and the time of each phase. The file is
// deleted at the end. Usage: [SEED_TUNING=json] npx tsx bench/seed/run.ts [calls=2000000] [days=90]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { seedSqliteCalls, type SeedTuning } from '../../src/seed/seed-calls.js';

const CALLS = Number(process.argv[2] ?? 2_000_000);
const DAYS = Number(process.argv[3] ?? 90);
/** 2026-01-01T00:00:00Z, as bench/stats. */
const END = 1_767_225_600;
/** Tactics to compare (JSON, e.g. '{"bulkJournal":false,"rowsPerInsert":1,"sortThreads":0}' is the old seed). */
const TUNING = JSON.parse(process.env.SEED_TUNING ?? '{}') as SeedTuning;

const dir = mkdtempSync(join(tmpdir(), 'callevt-seed-bench-'));
const file = join(dir, 'seed.db');
try {
  const load = loadavg()[0]?.toFixed(2);
  const r = seedSqliteCalls(file, { calls: CALLS, days: DAYS, seed: 1, end: END }, undefined, TUNING);
  const size = statSync(file).size / 2 ** 30;
  const phases = Object.entries(r.phases).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ');
  console.log(`seed (tuning ${JSON.stringify(TUNING)}) ${r.calls.toLocaleString('en-US')} calls over ${DAYS} days: ${r.seconds.toFixed(1)} s = ` +
    `${Math.round(r.calls / r.seconds).toLocaleString('en-US')} calls/s; ${phases}; file ${size.toFixed(2)} GiB; ` +
    `load average ${load} before, ${loadavg()[0]?.toFixed(2)} after`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
