/**
 * What one ingest commit costs, split: the SQLite recorder (`createSqliteCallbackRecorder`) times
 * batches of B distinct-sid deliveries on a fresh database with synchronous=FULL (the
 * fsync inside COMMIT) and with synchronous=NORMAL followed by a separate fdatasync of the
 * -wal file, so the recorder's CPU and the flush show apart. Modes alternate, two rounds;
 * background checkpoints on, as in `callevt serve`.
 * Run (under the shared bench lock): B=40 N=250 npx tsx bench/ingest/commit-split.ts
 */
import { fdatasyncSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toCallbackRecord } from '../../src/ingest/receive-callback.js';
import { migrateSqlite } from '../../src/storage/sqlite/migrate.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import { createSqliteCallbackRecorder } from '../../src/storage/sqlite/record-callbacks.js';
import { startWalCheckpointer } from '../../src/storage/sqlite/wal-checkpointer.js';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';

const B = Number(process.env.B ?? 40);
const N = Number(process.env.N ?? 250);

function delivery() {
  const values = validCallbackValues();
  const query = new URLSearchParams(values).toString();
  const raw = { receivedAt: Date.now(), method: 'GET', path: '/callbacks/call-event', query, body: null, contentType: null, sourceIp: '127.0.0.1' };
  return toCallbackRecord(raw, new Map(Object.entries(values)), []);
}

const dir = mkdtempSync(join(tmpdir(), 'callevt-commit-split-'));
try {
  for (const round of [1, 2]) {
    for (const mode of ['FULL', 'NORMAL'] as const) {
      const file = join(dir, `${mode}-${round}.db`);
      const db = openSqlite(file);
      migrateSqlite(db, Date.now());
      db.pragma(`synchronous = ${mode}`);
      const record = createSqliteCallbackRecorder(db).record;
      const checkpointer = startWalCheckpointer(db, file);
      const wal = openSync(`${file}-wal`, 'r');
      let recorderMs = 0;
      let flushMs = 0;
      for (let i = 0; i < N; i += 1) {
        const batch = Array.from({ length: B }, delivery);
        const started = performance.now();
        record(batch);
        const recorded = performance.now();
        if (mode === 'NORMAL') fdatasyncSync(wal);
        flushMs += performance.now() - recorded;
        recorderMs += recorded - started;
      }
      closeSync(wal);
      await checkpointer.stop();
      db.close();
      process.stdout.write(`round ${round} synchronous=${mode}: recorder ${(recorderMs / N).toFixed(2)} ms per batch of ${B} ` +
        `(${((1000 * recorderMs) / N / B).toFixed(1)} µs per delivery)` +
        (mode === 'NORMAL' ? `, then fdatasync of the WAL ${(flushMs / N).toFixed(2)} ms` : ' (fsync included)') + '\n');
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
