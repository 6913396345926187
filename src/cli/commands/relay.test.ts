import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliveryOf } from '../../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { retryIdsOf, runRelayDeadLetters, runRelayRetry, runRelayStatus } from './relay.js';

describe('callevt relay', () => {
  it('when a database holds a dead letter, then status counts it, dead-letters lists it and retry --id puts it back in line', async () => {
    const db = tempDatabaseFile();
    const store = createSqliteStore(db.file, { relayCallEvents: true });
    const values = validCallbackValues();
    const now = Date.now();
    try {
      await store.recordCallbacks([deliveryOf(values, now), deliveryOf(validCallbackValues(), now)]);
      const [item] = await store.relay.lease({ owner: 'w', now, leaseMs: 1_000, limit: 1 });
      await store.relay.settle('w', [{ id: item?.id ?? 0, outcome: 'dead', error: 'HTTP 502' }], now);
    } finally {
      await store.close();
    }
    try {
      assert.match(await runRelayStatus({ db: db.file }), /^relay: 1 pending, 0 in flight, 0 delivered, 1 dead; oldest pending received \d+ s ago\n$/);
      assert.match(await runRelayDeadLetters({ db: db.file }, 10), new RegExp(`^1\\t\\S+\\t${values.sid}\\tcall-event\\t1 attempt\\tHTTP 502\\n$`));
      assert.equal(await runRelayRetry({ db: db.file }, retryIdsOf({ id: ['1'] })), '1 dead letter back in line');
      assert.equal(await runRelayDeadLetters({ db: db.file }, 10), 'no dead letters\n');
      assert.equal(JSON.parse(await runRelayStatus({ db: db.file, json: true })).pending, 2);
    } finally {
      db.cleanup();
    }
  });

  it('when retry names neither --id nor --all, or both, or a bad id, then it refuses before touching anything', () => {
    assert.equal(retryIdsOf({ all: true }), 'all');
    assert.deepEqual(retryIdsOf({ id: ['3', '12'] }), [3, 12]);
    assert.throws(() => retryIdsOf({}), /--id <ids...> or --all/);
    assert.throws(() => retryIdsOf({ all: true, id: ['1'] }), /one of them/);
    assert.throws(() => retryIdsOf({ id: ['x'] }), /whole numbers from 1 \(got "x"\)/);
  });
});
