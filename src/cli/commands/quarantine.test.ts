import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { deliveryOf, rawRequest } from '../../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { loadConfig } from '../../config/load-config.js';
import { startServer } from '../../server.js';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { formatReplay, runQuarantineList, runQuarantineReplay } from './quarantine.js';

describe('callevt quarantine list and replay', () => {
  let db: ReturnType<typeof tempDatabaseFile>;
  const values = validCallbackValues();
  beforeEach(async () => {
    db = tempDatabaseFile();
    const store = createSqliteStore(db.file);
    // A valid delivery an older version refused (it did not know a value), and one that is still bad.
    await store.recordCallbacks([
      { raw: rawRequest(new URLSearchParams(values).toString(), Date.UTC(2026, 0, 2)), kind: 'malformed', problems: [{ field: 'terminate', problem: 'unknown code (older version)' }], sid: values.sid ?? null },
      deliveryOf(validCallbackValues({ type: 'X' }), Date.UTC(2026, 0, 3)),
    ]);
    await store.close();
  });
  afterEach(() => db.cleanup());

  it('when the quarantine is listed, then each entry shows its time, request and every reason, newest first', async () => {
    const text = await runQuarantineList({ db: db.file }, 10, false);
    assert.match(text, /^#2 {2}2026-01-03T00:00:00\.000Z {2}GET \/callbacks\/call-event {2}from 127\.0\.0\.1 {2}raw request 2\n {4}type: must be 'A' \(audio\) or 'V' \(video\)\n#1 /);
    assert.match(text, / {4}terminate: unknown code \(older version\)\n$/);
  });

  it('when a replay is a dry run, then it prints what would change and the list is unchanged; run for real, the call is stored', async () => {
    const before = await runQuarantineList({ db: db.file }, 10, true);
    const dry = formatReplay(await runQuarantineReplay({ db: db.file }, { dryRun: true }));
    assert.match(dry, new RegExp(`^#1 .* would become accepted \\(sid ${values.sid}\\)$`, 'm'));
    assert.match(dry, /^#2 .* would stay: type: must be 'A'/m);
    assert.match(dry, /^dry run, nothing written: 2 entries read again: 1 accepted, 0 duplicate, 0 conflict, 1 still quarantined$/m);
    assert.equal(await runQuarantineList({ db: db.file }, 10, true), before);
    const done = formatReplay(await runQuarantineReplay({ db: db.file }, { id: ['1'] }));
    assert.match(done, /^1 entry read again: 1 accepted/m);
    assert.deepEqual((await runQuarantineList({ db: db.file }, 10, true)).trim().split('\n').map((l) => JSON.parse(l).id), [2]);
  });

  it('when --url names a running server, then list and replay go through its API with the token', async () => {
    const token = 'quarantine-cli-token-0123456789';
    const server = await startServer(loadConfig({ HOST: '127.0.0.1', PORT: '0', DATABASE_URL: db.file, API_TOKEN: token, LOG_LEVEL: 'silent' }));
    try {
      const target = { url: server.url, token };
      assert.equal(await runQuarantineList(target, 10, true), await runQuarantineList({ db: db.file }, 10, true));
      const dry = await runQuarantineReplay(target, { dryRun: true, since: '2026-01-01' });
      assert.deepEqual([dry.dry_run, dry.counts.accepted, dry.counts.quarantined, dry.entries[0]?.received_at], [true, 1, 1, Date.UTC(2026, 0, 2)]);
      await assert.rejects(runQuarantineReplay({ url: server.url }, {}), /401 unauthorized/);
      const done = await runQuarantineReplay(target, { id: ['1'] });
      assert.deepEqual([done.dry_run, done.counts.accepted, done.entries[0]?.sid], [false, 1, values.sid]);
      assert.deepEqual((await runQuarantineList(target, 10, true)).trim().split('\n').map((l) => JSON.parse(l).id), [2]);
    } finally {
      await server.close();
    }
  });

  it('when the options are wrong, then it refuses naming the flag', async () => {
    await assert.rejects(runQuarantineReplay({ db: db.file }, { since: 'soon', id: ['x'] }), /--since must be .*; --id must be quarantine entry ids/);
  });
});
