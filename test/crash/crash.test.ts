import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { sendUntilDead } from './send-until-dead.js';

/** Concurrent senders while the server is killed. */
const SENDERS = 32;
/** How many 200 answers to collect before `kill -9`. */
const ACKS_BEFORE_KILL = 400;
/** A safety bound for the whole test (not an assertion on speed). */
const TEST_TIMEOUT_MS = 60_000;

const here = fileURLToPath(new URL('.', import.meta.url));
const compiled = here.includes(`${join('dist', 'test')}`);
const root = join(here, compiled ? '../../..' : '../..');

/** Starts `callevt serve` as a real child process on port 0 and resolves with its URL, read from its log line. */
function startServer(db: string): Promise<{ child: ChildProcess; url: string }> {
  const entry = compiled ? [join(root, 'bin/callevt.js')] : ['--import', 'tsx', join(root, 'src/cli/main.ts')];
  // PORT from the environment is nonsense on purpose: the --port flag must win.
  const env = { ...process.env, PORT: 'not-a-port', LOG_LEVEL: 'info', HOST: '127.0.0.1' };
  const child = spawn(process.execPath, [...entry, 'serve', '--port', '0', '--host', '127.0.0.1', '--db', db], {
    cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'callevt is listening' && entry.url) resolve({ child, url: entry.url });
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening: ${stderr}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('crash safety', () => {
  it('when the server is killed with SIGKILL mid-stream, then every sid answered 200 is stored after restart', { timeout: TEST_TIMEOUT_MS }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callevt-crash-'));
    const db = join(dir, 'crash.db');
    const children: ChildProcess[] = [];
    try {
      const first = await startServer(db);
      children.push(first.child);
      const acked: string[] = [];
      const killAfterEnough = () => {
        if (acked.length >= ACKS_BEFORE_KILL && first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
      };
      await Promise.all(Array.from({ length: SENDERS }, () => sendUntilDead(first.url, acked, killAfterEnough)));
      await exited(first.child);
      assert.equal(first.child.signalCode, 'SIGKILL');
      assert.ok(acked.length >= ACKS_BEFORE_KILL);

      const second = await startServer(db);
      children.push(second.child);
      assert.equal((await fetch(`${second.url}/readyz`)).status, 200);
      const missing: string[] = [];
      for (let i = 0; i < acked.length; i += 50) {
        const statuses = await Promise.all(acked.slice(i, i + 50).map(async (sid) => {
          const res = await fetch(`${second.url}/api/calls/${sid}`);
          await res.arrayBuffer();
          return [sid, res.status] as const;
        }));
        for (const [sid, status] of statuses) if (status !== 200) missing.push(sid);
      }
      assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged sids were lost`);

      second.child.kill('SIGTERM');
      assert.equal(await exited(second.child), 0, 'a graceful shutdown exits 0');

      const check = new Database(db, { readonly: true });
      try {
        assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
        const calls = (check.prepare('SELECT count(*) AS n FROM calls').get() as { n: number }).n;
        const accepted = (check.prepare("SELECT count(*) AS n FROM raw_requests WHERE result = 'accepted'").get() as { n: number }).n;
        assert.ok(calls >= acked.length);
        assert.equal(calls, accepted, 'every stored call has its raw record');
      } finally {
        check.close();
      }
    } finally {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.all(children.map(exited));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
