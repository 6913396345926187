import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliveryOf } from '../../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { createTestApp, tempDatabaseFile } from '../../../test/fixtures/test-app.js';
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

  it('when --url names a running server, then status, dead-letters and retry go through its API with the token', async () => {
    const token = 'cli-relay-token-0123456789';
    const t = await createTestApp({ API_TOKEN: token, CALL_EVENT_RELAY_URL: 'http://127.0.0.1:9/unreachable', RELAY_MAX_ATTEMPTS: '1' }, { relayPollMs: 10 });
    try {
      const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
      const values = validCallbackValues();
      assert.equal((await fetch(`${url}/callbacks/call-event?${new URLSearchParams(values)}`)).status, 200);
      const target = { url, token };
      const deadline = Date.now() + 10_000;
      while (!(await runRelayStatus(target)).includes('1 dead') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.match(await runRelayStatus(target), /^relay: 0 pending, 0 in flight, 0 delivered, 1 dead; none pending\n$/);
      assert.match(await runRelayDeadLetters(target, 10), new RegExp(`\\t${values.sid}\\tcall-event\\t1 attempt\\tconnect ECONNREFUSED 127.0.0.1:9\\n$`));
      assert.equal(await runRelayRetry(target, 'all'), '1 dead letter back in line');
      await assert.rejects(runRelayRetry({ url }, 'all'), /401 unauthorized/);
    } finally {
      await t.cleanup();
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
