import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keyedDeliveryOf } from '../../../test/contract/call-life-contract.js';
import { deliveryOf } from '../../../test/contract/ingest-contract.js';
import { validCallbackValues, validNotifyValues } from '../../../test/fixtures/callback-fixture.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { runCall } from './call.js';
import { runCalls } from './calls.js';

/** 2026-01-01 00:00:00 UTC, in milliseconds: long past any deadline. */
const T0 = 1_767_225_600_000;

describe('callevt call and calls --lifecycle: a call\'s life from the database', () => {
  const db = tempDatabaseFile();
  const notifiedOnly = validNotifyValues();
  const pushFailed = validNotifyValues();
  before(async () => {
    const store = createSqliteStore(db.file);
    await store.recordCallbacks([keyedDeliveryOf('notify', notifiedOnly, T0), keyedDeliveryOf('notify', pushFailed, T0)]);
    await store.recordNotifyRelays([{ sid: pushFailed.sid ?? '', attempted_at: T0 + 1, outcome: 'timeout', status: null, latency_ms: 3000, error: 'no answer within 3000 ms' }]);
    const end = validCallbackValues({ sid: pushFailed.sid, start_time: '0', duration: '0', billing_sec: '0', terminate: '127', disconnect_reason: '1302' });
    await store.recordCallbacks([deliveryOf(end, T0 + 4000)]);
    await store.close();
  });
  after(() => db.cleanup());

  it('when `call <sid>` names a call notified but never ended, then it prints its life, end_missing, instead of "no call"', async () => {
    const text = (await runCall(notifiedOnly.sid ?? '', { db: db.file, tz: 'UTC' })) ?? '';
    assert.match(text, /no Call Event yet/);
    assert.match(text, /^lifecycle {4}end_missing$/m);
    assert.match(text, /^ {4}2026-01-01 00:00:00 \+00:00 {2}Notify received \(accepted\)$/m);
  });

  it('when `call <sid>` names a call that ended with PUSH_ERROR after a relay timeout, then it blames the push handler', async () => {
    const text = (await runCall(pushFailed.sid ?? '', { db: db.file, tz: 'UTC' })) ?? '';
    assert.match(text, /^push error {3}push_handler$/m);
    assert.match(text, /Notify relayed to the push handler: timeout in 3000 ms/);
    assert.match(text, /^lifecycle {4}ended$/m);
  });

  it('when `calls --lifecycle end_missing` runs, then only the notified call without an end is listed', async () => {
    const text = await runCalls({ db: db.file, tz: 'UTC', limit: '50', lifecycle: 'end_missing' });
    assert.match(text, new RegExp(`^${notifiedOnly.sid} {2}notified 2026-01-01 00:00:00 \\+00:00 {2}caller\\.1 → callee\\.1 {2}audio$`, 'm'));
    assert.doesNotMatch(text, new RegExp(pushFailed.sid ?? 'none'));
  });
});
