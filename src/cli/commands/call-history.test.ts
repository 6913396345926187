import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../config/load-config.js';
import { type RunningServer, startServer } from '../../server.js';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { deliveryOf } from '../../../test/contract/ingest-contract.js';
import { runCall } from './call.js';

const TOKEN = 'cli-history-token-0123456789';
/** 2026-01-01 00:00:00 UTC, in milliseconds. */
const T0 = 1_767_225_600_000;

describe('callevt call: deliveries and conflicting versions', () => {
  const db = tempDatabaseFile();
  let server: RunningServer;
  const values = validCallbackValues({ odd_key: 'kept' });
  const quiet = validCallbackValues();
  before(async () => {
    const store = createSqliteStore(db.file);
    const changed = { ...values, duration: '7', billing_sec: '7', odd_key: 'changed', new_key: 'n' };
    delete (changed as Record<string, string | undefined>).stid;
    assert.deepEqual(
      await store.recordCallbacks([deliveryOf(values, T0), deliveryOf(values, T0 + 2_000), deliveryOf(changed, T0 + 5_000), deliveryOf(quiet, T0)]),
      ['accepted', 'duplicate', 'conflict', 'accepted'],
    );
    await store.close();
    server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: db.file, API_TOKEN: TOKEN, LOG_LEVEL: 'silent' }));
  });
  after(async () => {
    await server.close();
    db.cleanup();
  });

  it('when `call <sid>` runs on the database, then it lists each delivery with time, source and result, oldest first', async () => {
    const text = (await runCall(values.sid ?? '', { db: db.file, tz: 'UTC' })) ?? '';
    assert.match(text, /^deliveries \(3\)$/m);
    const rows = text.split('\n').filter((l) => /^ {2}2026-01-01 /.test(l));
    assert.equal(rows.length, 3);
    assert.match(rows[0] ?? '', /^ {2}2026-01-01 00:00:00 \+00:00 {2}GET {2}127\.0\.0\.1\s+accepted\s+raw request \d+$/);
    assert.match(rows[1] ?? '', /^ {2}2026-01-01 00:00:02 \+00:00 {2}GET {2}127\.0\.0\.1\s+duplicate\s+raw request \d+$/);
    assert.match(rows[2] ?? '', /^ {2}2026-01-01 00:00:05 \+00:00 .*conflict/);
  });

  it('when a conflicting version arrived, then it prints each differing field as stored → received', async () => {
    const text = (await runCall(values.sid ?? '', { db: db.file, tz: 'UTC' })) ?? '';
    assert.match(text, /^conflicting versions \(1\), stored → received$/m);
    assert.match(text, /^ {2}version 2, received 2026-01-01 00:00:05 \+00:00 \(raw request \d+\)$/m);
    assert.match(text, /^ {4}duration\s+120 → 7$/m);
    assert.match(text, /^ {4}billing_sec\s+120 → 7$/m);
    assert.match(text, /^ {4}new_key\s+\(absent\) → "n"$/m);
    assert.match(text, /^ {4}odd_key\s+"kept" → "changed"$/m);
    assert.doesNotMatch(text, /^ {4}sid\s/m);
  });

  it('when `call <sid>` runs against the server, then it prints the same as against the database', async () => {
    const viaDb = await runCall(values.sid ?? '', { db: db.file, tz: 'Asia/Tokyo' });
    assert.equal(await runCall(values.sid ?? '', { url: server.url, token: TOKEN, tz: 'Asia/Tokyo' }), viaDb);
  });

  it('when a call has one delivery and no conflict, then it lists that delivery and no conflicting versions', async () => {
    const text = (await runCall(quiet.sid ?? '', { url: server.url, token: TOKEN, tz: 'UTC' })) ?? '';
    assert.match(text, /^deliveries \(1\)$/m);
    assert.doesNotMatch(text, /conflicting versions/);
  });
});
