import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { deliveryOf } from '../../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { pruneDatabase } from '../../storage/open-store.js';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { runRebuild } from './rebuild.js';

/** Runs `callevt rebuild` and collects what it prints. */
async function rebuild(options: Parameters<typeof runRebuild>[0]) {
  const out = new PassThrough();
  const progress = new PassThrough();
  let text = '';
  let progressText = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  progress.on('data', (c: Buffer) => (progressText += c.toString()));
  const code = await runRebuild(options, { out, progress });
  return { code, text, progressText };
}

describe('callevt rebuild', () => {
  let live: ReturnType<typeof tempDatabaseFile>;
  let target: ReturnType<typeof tempDatabaseFile>;
  const old = validCallbackValues({ setup_time: '1700000000', start_time: '1700000005', end_time: '1700000125' });
  beforeEach(async () => {
    live = tempDatabaseFile();
    target = tempDatabaseFile();
    const store = createSqliteStore(live.file);
    // A call whose raw request is older than the call itself: pruning raw requests before 2021 keeps the call.
    await store.recordCallbacks([deliveryOf(old, Date.UTC(2020, 0, 1))]);
    await store.recordCallbacks([deliveryOf(validCallbackValues(), Date.UTC(2024, 0, 1)), deliveryOf(validCallbackValues({ type: 'X' }), Date.UTC(2024, 0, 2))]);
    await store.close();
  });
  afterEach(() => {
    live.cleanup();
    target.cleanup();
  });

  it('when nothing was changed, then --check finds no difference and exits 0, with a progress line', async () => {
    const result = await rebuild({ db: live.file, check: true });
    assert.equal(result.code, 0, result.text);
    assert.match(result.text, /rebuilt 3 raw requests/);
    assert.match(result.text, /^0 differences$/m);
    assert.match(result.progressText, /raw request 3 of 3 \(100\.0%\)/);
  });

  it('when a call\'s raw request was pruned, then --check reports it as not checkable, not as a difference', async () => {
    await pruneDatabase(live.file, { before: Date.UTC(2021, 0, 1) / 1000 });
    const result = await rebuild({ db: live.file, into: target.file, check: true });
    assert.equal(result.code, 0, result.text);
    assert.match(result.text, new RegExp(`^not checkable \\(raw request pruned\\)  ${old.sid}  call: raw request 1 pruned$`, 'm'));
    assert.match(result.text, /^0 differences$/m);
  });

  it('when a live rollup row is deleted, then --check reports the difference and exits 1; a second rebuild into the same target resumes', async () => {
    assert.equal((await rebuild({ db: live.file, into: target.file })).code, 0);
    const db = new Database(live.file);
    db.prepare("DELETE FROM call_rollups WHERE dim = 'type' AND value = 'V'").run();
    db.close();
    const result = await rebuild({ db: live.file, into: target.file, check: true });
    assert.equal(result.code, 1);
    assert.match(result.text, /rebuilt 0 raw requests .*continued after raw request 3/);
    assert.match(result.text, /^difference rollup {2}rollup \S+ type=V {2}rebuilt row not in the live table$/m);
    assert.match(result.text, /^\d+ differences? \(rollup \d+\)$/m);
  });

  it('when --into is missing without --check, then it refuses', async () => {
    await assert.rejects(rebuild({ db: live.file }), /needs --into/);
  });
});
