import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { repoRoot } from '../../../test/fixtures/repo-root.js';
import { pgDumpCommand } from './backup-commands.js';

const cli = join(repoRoot(), 'bin', 'callevt.js');

/** Runs `callevt <args>` to its end. */
function callevt(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A real `callevt serve` on a SQLite file, on a free loopback port. */
function startServer(db: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    env: { ...process.env, DATABASE_URL: db, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = (() => { try { return JSON.parse(line) as { msg?: string; url?: string }; } catch { return {}; } })();
      if (entry.msg === 'callevt is listening' && entry.url !== undefined) resolve({ url: entry.url, child });
    });
  });
}

/** The sids of a SQLite database's calls. */
function sidsIn(file: string): Set<string> {
  const db = new Database(file, { readonly: true });
  try {
    return new Set((db.prepare('SELECT sid FROM calls').all() as Array<{ sid: string }>).map((r) => r.sid));
  } finally {
    db.close();
  }
}

describe('callevt backup and restore (SQLite, a real server under load)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-backup-'));
  const live = join(dir, 'live.db');
  const backup = join(dir, 'backup.db');
  const restored = join(dir, 'restored.db');
  let server: { url: string; child: ChildProcess };
  /** Sids answered 200, in the order of their answers. */
  const acknowledged: string[] = [];
  let ackedBeforeBackup: string[] = [];
  let ackedAfterBackup = 0;

  before(async () => {
    server = await startServer(live);
    let loading = true;
    const sender = async () => {
      while (loading) {
        const values = validCallbackValues();
        const res = await fetch(`${server.url}/callbacks/call-event?${new URLSearchParams(values)}`);
        await res.arrayBuffer();
        if (res.status === 200) acknowledged.push(values.sid!);
      }
    };
    const senders = Array.from({ length: 4 }, sender);
    while (acknowledged.length < 200) await new Promise((r) => setTimeout(r, 20));
    // Everything answered 200 before the backup starts must be in it.
    ackedBeforeBackup = [...acknowledged];
    const run = await callevt(['backup', '--db', live, '--out', backup]);
    ackedAfterBackup = acknowledged.length;
    loading = false;
    await Promise.all(senders);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /integrity ok, \d+ calls/);
  });

  after(async () => {
    if (server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await new Promise((r) => server.child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('when a backup is taken while callbacks keep arriving, then restoring it gives every call acknowledged before the backup started', async () => {
    assert.ok(ackedAfterBackup > ackedBeforeBackup.length, 'callbacks were acknowledged while the backup ran');
    const run = await callevt(['restore', '--from', backup, '--db', restored]);
    assert.equal(run.status, 0, run.stderr);
    const sids = sidsIn(restored);
    assert.deepEqual(ackedBeforeBackup.filter((sid) => !sids.has(sid)), []);
  });

  it('when the target is the database a running server holds, then restore refuses, even with --force, and leaves it alone', async () => {
    const before = sidsIn(live).size;
    const run = await callevt(['restore', '--from', backup, '--db', live, '--force']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /is open in another process \(a running callevt\?\); stop it before restoring/);
    assert.ok(sidsIn(live).size >= before);
  });

  it('when the target exists, then restore refuses without --force and replaces it with --force', async () => {
    const target = join(dir, 'existing.db');
    assert.equal((await callevt(['restore', '--from', backup, '--db', target])).status, 0);
    const refused = await callevt(['restore', '--from', backup, '--db', target]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /exists; pass --force to replace it/);
    const forced = await callevt(['restore', '--from', backup, '--db', target, '--force']);
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(forced.stdout, /integrity ok/);
  });

  it('when the backup is damaged (truncated) or not a database, then restore refuses before touching the target', async () => {
    const truncated = join(dir, 'truncated.db');
    const bytes = readFileSync(backup);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, 'not a database at all, just text '.repeat(200));
    for (const from of [truncated, garbage]) {
      const target = join(dir, 'never.db');
      const run = await callevt(['restore', '--from', from, '--db', target]);
      assert.equal(run.status, 1, `${from}: ${run.stdout}`);
      assert.match(run.stderr, /damaged|cannot be opened|cannot be read|not a callevt database/);
      assert.equal(existsSync(target), false);
    }
  });

  it('when the server has stopped, then restore replaces its database with --force and leaves no stale WAL', async () => {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    const run = await callevt(['restore', '--from', backup, '--db', live, '--force']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(existsSync(`${live}-wal`), false);
    assert.deepEqual(sidsIn(live), sidsIn(backup));
  });
});

it('when the database is PostgreSQL, then backup prints the pg_dump command without the password and exits 0', async () => {
  const run = await callevt(['backup', '--db', 'postgres://callevt:s3cret@db.internal:5432/calls', '--out', "/backups/it's.dump"]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^pg_dump --format=custom --file='\/backups\/it'\\''s\.dump' 'postgres:\/\/callevt@db\.internal:5432\/calls'$/m);
  assert.doesNotMatch(run.stdout, /s3cret/);
  assert.equal(pgDumpCommand('postgresql://u@h/d', 'x'), "pg_dump --format=custom --file='x' 'postgresql://u@h/d'");
});
