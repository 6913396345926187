import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { MIGRATIONS } from '../../src/storage/sql/migrations.js';
import { createPostgresStore, type PostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { deliveryOf, rawRequest } from '../contract/ingest-contract.js';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { toCallbackRecord } from '../../src/ingest/receive-callback.js';
import { createTestSchema, describePostgres, type TestSchema } from './pg-test-schema.js';

// What only the PostgreSQL adapter has to get right: several processes on one database,
// int8 as numbers, and text PostgreSQL cannot store.
describePostgres('postgres adapter', (url) => {
  let schema: TestSchema;
  let a: PostgresStore;
  let b: PostgresStore;
  before(async () => {
    schema = await createTestSchema(url);
    // Two stores opened at the same instant stand for two receivers starting together.
    [a, b] = await Promise.all([createPostgresStore(schema.url), createPostgresStore(schema.url)]);
  });
  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await schema?.drop();
  });

  it('when two receivers start at once, then each migration is applied exactly once', async () => {
    const rows = await a.pool.query('SELECT version, name FROM schema_migrations ORDER BY version');
    assert.deepEqual(rows.rows, MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
  });

  it('when two receivers record the same sid at the same instant, then one accepts and one sees a duplicate', async () => {
    for (let round = 0; round < 20; round++) {
      const values = validCallbackValues();
      const results = await Promise.all([a.recordCallbacks([deliveryOf(values)]), b.recordCallbacks([deliveryOf(values)])]);
      assert.deepEqual(results.flat().sort(), ['accepted', 'duplicate']);
    }
  });

  it('when receivers get conflicting versions at once, then every distinct version is recorded once', async () => {
    const values = validCallbackValues();
    const versions = ['1', '2', '3'].map((d) => deliveryOf({ ...values, duration: d }));
    const results = await Promise.all([
      a.recordCallbacks([versions[0]!, versions[1]!, versions[2]!]),
      b.recordCallbacks([versions[2]!, versions[1]!, versions[0]!]),
    ]);
    const flat = results.flat();
    assert.equal(flat.filter((r) => r === 'accepted').length, 1);
    assert.equal(flat.filter((r) => r === 'conflict').length, 2);
    assert.equal(flat.filter((r) => r === 'duplicate').length, 3);
    const call = await a.getCall(values.sid!);
    assert.equal(call?.conflicts, 2);
    const stored = await a.pool.query('SELECT count(*) AS n FROM call_conflicts WHERE sid = $1', [values.sid]);
    assert.equal(stored.rows[0].n, 2);
    const raw = await a.pool.query('SELECT result, count(*) AS n FROM raw_requests WHERE sid = $1 GROUP BY result ORDER BY result', [values.sid]);
    assert.deepEqual(raw.rows, [{ result: 'accepted', n: 1 }, { result: 'conflict', n: 2 }, { result: 'duplicate', n: 3 }]);
  });

  it('when one batch mixes sids, malformed deliveries, duplicates and conflicts, then results and raw records follow input order', async () => {
    const x = validCallbackValues();
    const y = validCallbackValues();
    const batch = [
      deliveryOf({ ...y, duration: '5' }),
      deliveryOf(x),
      deliveryOf(validCallbackValues({ type: 'X' })),
      deliveryOf({ ...x, duration: '9' }),
      deliveryOf(y),
      deliveryOf({ ...x, duration: '9' }),
      deliveryOf(x),
    ];
    const expected = ['accepted', 'accepted', 'quarantined', 'conflict', 'conflict', 'duplicate', 'duplicate'];
    assert.deepEqual(await a.recordCallbacks(batch), expected);
    const raw = await a.pool.query('SELECT result FROM raw_requests ORDER BY id DESC LIMIT 7');
    assert.deepEqual(raw.rows.map((r) => r.result).reverse(), expected);
    assert.equal((await a.getCall(y.sid!))?.duration, 5);
    assert.equal((await a.getCall(x.sid!))?.conflicts, 1);
  });

  it('when a call is read back, then ids, times and counts are JS numbers, not strings', async () => {
    const values = validCallbackValues({ setup_time: '253402300000', end_time: '253402300100', start_time: '0' });
    await a.recordCallbacks([deliveryOf(values, 1_700_000_999_123)]);
    const call = await b.getCall(values.sid!);
    assert.equal(call?.setup_time, 253_402_300_000);
    assert.equal(call?.received_at, 1_700_000_999_123);
    assert.equal(typeof call?.raw_request_id, 'number');
    const counted = await a.kysely.selectFrom('calls').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    assert.equal(typeof counted.n, 'number');
  });

  it('when a raw body holds a NUL character, then the batch still commits and the body is kept with U+FFFD', async () => {
    const values = validCallbackValues();
    const raw = { ...rawRequest(''), method: 'POST', body: `sid=${values.sid}\u0000x`, contentType: 'text/plain' };
    const bad = toCallbackRecord(raw, new Map([['sid', `${values.sid}\u0000`]]), [{ field: 'body', problem: 'test' }]);
    const good = deliveryOf(validCallbackValues());
    assert.deepEqual(await a.recordCallbacks([bad, good]), ['quarantined', 'accepted']);
    const [entry] = await a.listQuarantine({ limit: 1 });
    assert.equal(entry?.body, `sid=${values.sid}\uFFFDx`);
  });

  it('when the database answers, then ping resolves', async () => {
    await a.ping();
  });
});
