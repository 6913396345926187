import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { deliveryOf, rawRequest } from '../../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { malformedRecord } from '../../ingest/receive-callback.js';
import { openSpoolFile, SPOOL_FORMAT_VERSION, SpoolFileError, spooledSid } from './spool-file.js';

/** Records the child process appends before it is killed. */
const CHILD_RECORDS = 200;
/** A safety bound on the child process (not an assertion on speed). */
const CHILD_TIMEOUT_MS = 30_000;

function tempSpool(): { file: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-spool-'));
  return { file: join(dir, 'nested', 'spool.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('the spool file', () => {
  it('when records are appended, then they read back oldest first, whole, and leave only when removed', () => {
    const t = tempSpool();
    const spool = openSpoolFile(t.file);
    try {
      const first = [deliveryOf(validCallbackValues()), deliveryOf(validCallbackValues())];
      const second = [deliveryOf(validCallbackValues({ app_svr_data: 'ctx' }))];
      spool.append(first);
      spool.append(second);
      assert.equal(spool.size, 3);
      const all = spool.readOldest(10);
      assert.deepEqual(all.map((r) => r.record), [...first, ...second]);
      assert.ok(all[0]!.id < all[1]!.id && all[1]!.id < all[2]!.id);
      assert.deepEqual(spool.readOldest(2).map((r) => spooledSid(r.record)), first.map(spooledSid));
      spool.remove([all[0]!.id]);
      assert.equal(spool.size, 2);
      assert.deepEqual(spool.readOldest(10).map((r) => r.record), [first[1], second[0]]);
      spool.remove([all[0]!.id]); // already gone: the count must not drift
      assert.equal(spool.size, 2);
    } finally {
      spool.close();
      t.cleanup();
    }
  });

  it('when a record holds odd text (NUL, lone surrogates, emoji) or is malformed, then it reads back identical', () => {
    const t = tempSpool();
    const spool = openSpoolFile(t.file);
    try {
      const odd = deliveryOf(validCallbackValues({ app_svr_data: 'a\u0000b\uD800c😀', extra_key: '\uDFFFz' }));
      const raw = { ...rawRequest('sid=x'), method: 'POST', body: 'k=\u0000\uD800', contentType: 'text/plain' };
      const refused = malformedRecord(raw, [{ field: 'body', problem: 'is not a form' }]);
      spool.append([odd, refused]);
      assert.deepEqual(spool.readOldest(10).map((r) => r.record), [odd, refused]);
    } finally {
      spool.close();
      t.cleanup();
    }
  });

  it('when it is closed and opened again, then the waiting records are still there, in order, with new ids after them', () => {
    const t = tempSpool();
    const records = Array.from({ length: 5 }, () => deliveryOf(validCallbackValues()));
    let spool = openSpoolFile(t.file);
    spool.append(records);
    const lastId = spool.readOldest(10).at(-1)!.id;
    spool.remove([spool.readOldest(1)[0]!.id]);
    spool.close();
    spool = openSpoolFile(t.file);
    try {
      assert.equal(spool.size, 4);
      assert.deepEqual(spool.readOldest(10).map((r) => r.record), records.slice(1));
      spool.append([deliveryOf(validCallbackValues())]);
      assert.ok(spool.readOldest(10).at(-1)!.id > lastId, 'ids keep growing (AUTOINCREMENT), so order holds across restarts');
    } finally {
      spool.close();
      t.cleanup();
    }
  });

  it('when it is open, then its journal is WAL and a second opener is refused (one process per spool)', () => {
    const t = tempSpool();
    const spool = openSpoolFile(t.file);
    try {
      assert.throws(() => openSpoolFile(t.file), (error: unknown) =>
        error instanceof SpoolFileError && /in use by another process/.test(error.message));
      spool.append([deliveryOf(validCallbackValues())]);
    } finally {
      spool.close();
    }
    const db = new Database(t.file, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('user_version', { simple: true }), SPOOL_FORMAT_VERSION);
    } finally {
      db.close();
      t.cleanup();
    }
  });

  it('when a record is held, then it leaves the line with its error, the count moves, and both survive a reopen', () => {
    const t = tempSpool();
    const records = [deliveryOf(validCallbackValues()), deliveryOf(validCallbackValues()), deliveryOf(validCallbackValues())];
    let spool = openSpoolFile(t.file);
    try {
      spool.append(records);
      const [, middle] = spool.readOldest(10);
      spool.hold(middle!.id, 'new row violates check constraint', 1_700_000_000_000);
      spool.hold(middle!.id, 'again', 1_700_000_000_001); // already held: nothing moves twice
      assert.equal(spool.size, 2);
      assert.equal(spool.held, 1);
      assert.deepEqual(spool.readOldest(10).map((r) => r.record), [records[0], records[2]]);
      spool.close();
      spool = openSpoolFile(t.file);
      assert.equal(spool.size, 2);
      assert.equal(spool.held, 1);
    } finally {
      spool.close();
    }
    const db = new Database(t.file, { readonly: true });
    try {
      const held = db.prepare('SELECT record, error, held_at FROM held_callbacks').all() as Array<{ record: string; error: string; held_at: number }>;
      assert.deepEqual(held.map((h) => [JSON.parse(h.record), h.error, h.held_at]), [[records[1], 'new row violates check constraint', 1_700_000_000_000]]);
    } finally {
      db.close();
      t.cleanup();
    }
  });

  it('when a spool file of format 1 (before held records) is opened, then its records are kept and it gains the held table', () => {
    const t = tempSpool();
    const waiting = deliveryOf(validCallbackValues());
    const spool = openSpoolFile(t.file);
    spool.append([waiting]);
    spool.close();
    const db = new Database(t.file);
    db.exec('DROP TABLE held_callbacks');
    db.pragma('user_version = 1');
    db.close();
    const reopened = openSpoolFile(t.file);
    try {
      assert.deepEqual(reopened.readOldest(10).map((r) => r.record), [waiting]);
      assert.equal(reopened.held, 0);
      reopened.hold(reopened.readOldest(1)[0]!.id, 'x', 0);
      assert.equal(reopened.held, 1);
    } finally {
      reopened.close();
      t.cleanup();
    }
  });

  it('when the file has another format version, then it is refused rather than misread', () => {
    const t = tempSpool();
    openSpoolFile(t.file).close();
    const db = new Database(t.file);
    db.pragma(`user_version = ${SPOOL_FORMAT_VERSION + 1}`);
    db.close();
    try {
      assert.throws(() => openSpoolFile(t.file), /has format 3; this callevt reads format 2/);
    } finally {
      t.cleanup();
    }
  });

  it('when the process is killed (kill -9) right after appends returned, then every appended record is there on reopen', async () => {
    const t = tempSpool();
    try {
      const here = fileURLToPath(new URL('.', import.meta.url));
      const compiled = here.includes(join('dist', 'src'));
      const moduleUrl = new URL(`./spool-file.${compiled ? 'js' : 'ts'}`, import.meta.url).href;
      const fixtureUrl = new URL(`../../../test/contract/ingest-contract.${compiled ? 'js' : 'ts'}`, import.meta.url).href;
      const valuesUrl = new URL(`../../../test/fixtures/callback-fixture.${compiled ? 'js' : 'ts'}`, import.meta.url).href;
      // The child appends one record per transaction and reports each sid only after append returned.
      const script = `
        const { openSpoolFile } = await import(${JSON.stringify(moduleUrl)});
        const { deliveryOf } = await import(${JSON.stringify(fixtureUrl)});
        const { validCallbackValues } = await import(${JSON.stringify(valuesUrl)});
        const spool = openSpoolFile(${JSON.stringify(t.file)});
        for (let i = 0; ; i++) {
          const record = deliveryOf(validCallbackValues());
          spool.append([record]);
          process.stdout.write(record.event.sid + '\\n');
        }`;
      const args = [...(compiled ? [] : ['--import', 'tsx']), '--input-type=module', '-e', script];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const acknowledged: string[] = [];
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      let buffered = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child too slow: ${stderr}`)), CHILD_TIMEOUT_MS);
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          acknowledged.push(...lines);
          if (acknowledged.length >= CHILD_RECORDS) {
            clearTimeout(timer);
            child.kill('SIGKILL');
            resolve();
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          if (acknowledged.length < CHILD_RECORDS) reject(new Error(`child exited with ${code}: ${stderr}`));
        });
      });
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));
      const spool = openSpoolFile(t.file);
      try {
        const stored = new Set(spool.readOldest(1_000_000).map((r) => spooledSid(r.record)));
        for (const sid of acknowledged) assert.ok(stored.has(sid), `sid ${sid} was appended but is missing after kill -9`);
        assert.equal(spool.size, stored.size);
      } finally {
        spool.close();
      }
    } finally {
      t.cleanup();
    }
  });
});
