import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/config/load-config.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { runCli } from '../fixtures/run-cli.js';
import { tempDatabaseFile } from '../fixtures/test-app.js';

const TOKEN = 'group-e2e-token-0123456789';

describe('simulate --group → callevt on SQLite → verify --group', () => {
  const db = tempDatabaseFile();
  const dir = mkdtempSync(join(tmpdir(), 'callevt-group-e2e-'));
  const truth = join(dir, 'group-truth.ndjson');
  let server: RunningServer;

  before(async () => {
    server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: db.file, LOG_LEVEL: 'silent', API_TOKEN: TOKEN }));
  });

  after(async () => {
    await server?.close();
    db.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when rooms are sent shuffled, partly twice and in both shapes, then every event is taken and every stored session and stay, and every group figure, matches the truth', async () => {
    const sent = await runCli(['simulate', '--group', '--rooms', '40', '--seed', 'group-e2e', '--duplicate-share', '0.1', '--quiet', '--expect', truth], { CALLEVT_URL: server.url, CALLEVT_TOKEN: TOKEN }, 60_000);
    assert.equal(sent.status, 0, sent.stdout + sent.stderr);
    assert.match(sent.stdout, /unexpected +0 /);
    const verified = await runCli(['verify', '--group', '--strict', '--expect', truth], { CALLEVT_URL: server.url, CALLEVT_TOKEN: TOKEN }, 60_000);
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /PASS +group sessions stored as expected +40\/40 rooms match/);
    assert.match(verified.stdout, /PASS +group figures +(\d+)\/\1 figures match over .*\(40 sessions, \d+ stays\)/);
  });

  // Last: it changes the database the test above verified.
  it('when a stored stay is altered, then verify --group fails naming its room', async () => {
    const sqlite = new Database(db.file);
    let sid: string;
    try {
      const stay = sqlite.prepare("SELECT sid, rowid FROM group_stays WHERE status = 'completed' LIMIT 1").get() as { sid: string; rowid: number };
      sid = stay.sid;
      sqlite.prepare("UPDATE group_stays SET status = 'dropped' WHERE rowid = ?").run(stay.rowid);
    } finally {
      sqlite.close();
    }
    const verified = await runCli(['verify', '--group', '--strict', '--expect', truth], { CALLEVT_URL: server.url, CALLEVT_TOKEN: TOKEN }, 60_000);
    assert.equal(verified.status, 1, verified.stdout + verified.stderr);
    assert.match(verified.stdout, new RegExp(`FAIL +group sessions stored as expected[\\s\\S]*${sid}`));
  });
});
