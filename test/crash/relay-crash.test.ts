import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { sendUntilDead } from './send-until-dead.js';
import { startRelayTarget } from '../fixtures/relay-target.js';
import { repoRoot } from '../fixtures/repo-root.js';

/** Concurrent senders while the server is killed. */
const SENDERS = 16;
/** How many 200 answers to collect before `kill -9`: the relay is busy delivering by then. */
const ACKS_BEFORE_KILL = 150;
/** A safety bound for the whole test (not an assertion on speed). */
const TEST_TIMEOUT_MS = 60_000;
/** Short, so that the leases the killed server held expire soon after the restart (lease = timeout + 2 s). */
const RELAY_TIMEOUT_MS = 1_000;
const ROOT = repoRoot();

/** Starts `callevt serve` relaying to `relayUrl` and resolves with its URL, read from its log line. */
function startServer(db: string, relayUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const env = { ...process.env, LOG_LEVEL: 'info', CALL_EVENT_RELAY_URL: relayUrl, RELAY_TIMEOUT_MS: String(RELAY_TIMEOUT_MS), RELAY_BACKOFF_BASE_MS: '50' };
  const child = spawn(process.execPath, [join(ROOT, 'bin/callevt.js'), 'serve', '--port', '0', '--host', '127.0.0.1', '--db', db], {
    cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
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

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

describe('relay crash safety', () => {
  it('when the server is killed with SIGKILL while relaying, then after a restart every acknowledged callback reaches the app at least once and none is a dead letter', { timeout: TEST_TIMEOUT_MS }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callevt-relay-crash-'));
    const db = join(dir, 'crash.db');
    // A healthy app that takes a little time, so that deliveries are in flight when the kill comes.
    const target = await startRelayTarget(async () => {
      await new Promise((resolve) => setTimeout(resolve, 3));
      return 200;
    });
    const children: ChildProcess[] = [];
    try {
      const first = await startServer(db, `${target.url}/cb`);
      children.push(first.child);
      const acked: string[] = [];
      const killAfterEnough = () => {
        if (acked.length >= ACKS_BEFORE_KILL && first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
      };
      await Promise.all(Array.from({ length: SENDERS }, () => sendUntilDead(first.url, acked, killAfterEnough)));
      await exited(first.child);
      assert.equal(first.child.signalCode, 'SIGKILL');
      const beforeRestart = target.received.length;

      const second = await startServer(db, `${target.url}/cb`);
      children.push(second.child);
      const relayedSids = () => new Set(target.received.map((r) => new URLSearchParams(r.url.split('?')[1]).get('sid')));
      const deadline = Date.now() + 30_000;
      while (acked.some((sid) => !relayedSids().has(sid)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      const missing = acked.filter((sid) => !relayedSids().has(sid));
      assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged callbacks never reached the app`);
      assert.ok(beforeRestart > 0, 'the first server was relaying when it was killed');

      const status = await (await fetch(`${second.url}/api/relay/status`)).json() as { dead: number; pending: number; in_flight: number };
      assert.equal(status.dead, 0, 'nothing went to the dead-letter list while the app was healthy');
      second.child.kill('SIGTERM');
      await exited(second.child);
    } finally {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.all(children.map(exited));
      await target.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
