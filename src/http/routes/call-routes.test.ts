import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CSV_COLUMNS } from '../../domain/call-log/call-csv.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { parseCsv } from '../../../test/fixtures/parse-csv.js';
import { createTestApp, tempDatabaseFile, type TestApp } from '../../../test/fixtures/test-app.js';
import { loadConfig } from '../../config/load-config.js';
import { CLASSIFIER_VERSION } from '../../domain/classify/release-codes.js';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { buildApp } from '../build-app.js';
import { deliveryOf } from '../../../test/contract/ingest-contract.js';

async function storeCalls(t: TestApp, values: Array<Record<string, string>>): Promise<string[]> {
  const results = await t.store.recordCallbacks(values.map((v) => deliveryOf(v)));
  assert.ok(results.every((r) => r === 'accepted'), JSON.stringify(results));
  return values.map((v) => v.sid ?? '');
}

function atTime(setup: number, overrides: Record<string, string> = {}) {
  return validCallbackValues({ setup_time: String(setup), start_time: String(setup + 5), end_time: String(setup + 125), ...overrides });
}

/** The fields these tests read from a page of calls or from an error answer (a real answer has one or the other). */
interface ListAnswer {
  items: Array<{ sid: string; setup_time: number; received_at: unknown; status: { outcome: string; reason: string } }>;
  next_cursor: string | null;
  error: { code: string; details: Array<{ field: string }> };
}

async function getJson(t: TestApp, url: string) {
  const response = await t.app.inject({ method: 'GET', url });
  return { status: response.statusCode, body: response.json() as ListAnswer };
}

describe('GET /api/calls', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.cleanup());

  it('when filters are given, then only matching calls come back, newest first, with their status', async () => {
    const [older, newer] = await storeCalls(t, [
      atTime(1_000, { from_user_id: 'u.list' }),
      atTime(2_000, { to_user_id: 'u.list', start_time: '0', duration: '0', billing_sec: '0', terminate: '17', disconnect_reason: '1202', releaser_type: '1' }),
    ]);
    await storeCalls(t, [atTime(1_500)]);
    const all = await getJson(t, '/api/calls?user=u.list');
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.items.map((c) => c.sid), [newer, older]);
    assert.equal(all.body.items[0]?.status.outcome, 'busy');
    assert.equal(all.body.items[0]?.status.reason, 'BUSY');
    assert.equal(typeof all.body.items[0]?.received_at, 'string');
    assert.equal(all.body.next_cursor, null);
    const busy = await getJson(t, '/api/calls?user=u.list&outcome=busy,failed&from=1970-01-01T00:25:00Z');
    assert.deepEqual(busy.body.items.map((c) => c.sid), [newer]);
  });

  it('when a filter value is bad, then it answers 400 invalid_parameter naming each parameter', async () => {
    const { status, body } = await getJson(t, '/api/calls?type=X&from=yesterday&limit=5');
    assert.equal(status, 400);
    assert.equal(body.error.code, 'invalid_parameter');
    assert.deepEqual(body.error.details.map((d) => d.field).sort(), ['from', 'type']);
  });

  for (const limit of ['0', '1001', 'ten', '-1']) {
    it(`when limit=${limit}, then it answers 400 naming limit`, async () => {
      const { status, body } = await getJson(t, `/api/calls?limit=${limit}`);
      assert.equal(status, 400);
      assert.equal(body.error.details[0]?.field, 'limit');
    });
  }

  it('when the cursor is garbage or made for another time field, then it answers 400 naming cursor', async () => {
    await storeCalls(t, [atTime(10), atTime(11)]);
    const first = await getJson(t, '/api/calls?limit=1');
    assert.equal(typeof first.body.next_cursor, 'string');
    for (const url of ['/api/calls?cursor=bm9wZQ', '/api/calls?cursor=%7B%7D', `/api/calls?time_field=end_time&cursor=${first.body.next_cursor}`]) {
      const { status, body } = await getJson(t, url);
      assert.equal(status, 400, url);
      assert.equal(body.error.details[0]?.field, 'cursor');
    }
  });
});

describe('GET /api/calls pagination while calls arrive', () => {
  it('when new calls are stored between pages, then each earlier call is listed exactly once and in order', async () => {
    const t = await createTestApp();
    try {
      const original = await storeCalls(t, Array.from({ length: 23 }, (_, i) => atTime(50_000 + (i % 5), { from_user_id: 'pager' })));
      const seen: string[] = [];
      let cursor: string | null = null;
      let page = 0;
      do {
        const url: string = `/api/calls?user=pager&limit=5${cursor === null ? '' : `&cursor=${cursor}`}`;
        const { status, body } = await getJson(t, url);
        assert.equal(status, 200);
        seen.push(...body.items.map((c) => c.sid));
        cursor = body.next_cursor;
        // Newer calls, calls at a boundary time and older calls arrive between pages.
        await storeCalls(t, [atTime(60_000 + page, { from_user_id: 'pager' }), atTime(50_002, { from_user_id: 'pager' }), atTime(40_000 - page, { from_user_id: 'pager' })]);
        page++;
      } while (cursor !== null && page < 50);
      assert.equal(new Set(seen).size, seen.length, 'no call is listed twice');
      for (const sid of original) assert.ok(seen.includes(sid), `${sid} is listed`);
    } finally {
      await t.cleanup();
    }
  });

  it('when limit=1000, then up to 1000 calls come in one page', async () => {
    const t = await createTestApp();
    try {
      await storeCalls(t, Array.from({ length: 1_001 }, (_, i) => atTime(i + 1)));
      const { body } = await getJson(t, '/api/calls?limit=1000');
      assert.equal(body.items.length, 1_000);
      assert.equal(typeof body.next_cursor, 'string');
      const rest = await getJson(t, `/api/calls?limit=1000&cursor=${body.next_cursor}`);
      assert.equal(rest.body.items.length, 1);
      assert.equal(rest.body.items[0]?.setup_time, 1);
    } finally {
      await t.cleanup();
    }
  });
});

describe('GET /api/calls/export', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.cleanup());

  it('when exporting CSV with raw=true, then the header and every tricky value round-trip exactly, and the answer says raw', async () => {
    const tricky = ['comma, inside', 'a "quoted" word', 'line\nbreak', 'crlf\r\nend', ' leading space', '=1+2', 'ünïcødé 電話'];
    const sids = await storeCalls(t, tricky.map((app_svr_data, i) => atTime(7_000 + i, { app_svr_data, from_user_id: 'csv.user', odd_key: 'x,"y"' })));
    const response = await t.app.inject({ method: 'GET', url: '/api/calls/export?format=csv&user=csv.user&raw=true' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/csv/);
    assert.equal(response.headers['x-csv-formulas'], 'raw');
    const [header, ...rows] = parseCsv(response.body);
    assert.deepEqual(header, [...CSV_COLUMNS]);
    assert.equal(rows.length, tricky.length);
    const column = (name: string) => CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number]);
    for (const [i, row] of rows.entries()) {
      const expected = tricky.length - 1 - i; // newest first
      assert.equal(row[column('sid')], sids[expected]);
      assert.equal(row[column('app_svr_data')], tricky[expected]);
      assert.deepEqual(JSON.parse(row[column('extra')] ?? ''), { odd_key: 'x,"y"' });
      assert.equal(row[column('outcome')], 'completed');
      assert.equal(row[column('stid')], '');
    }
  });

  it('when exporting CSV by default, then text cells starting like a formula get a leading quote, numbers stay numbers, and the answer says so', async () => {
    const formulas = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\tTAB'];
    await storeCalls(t, formulas.map((app_svr_data, i) => atTime(8_000 + i, { app_svr_data, from_user_id: 'csv.formula', rel_code: '-1', user_rel_code: '-5' })));
    const response = await t.app.inject({ method: 'GET', url: '/api/calls/export?format=csv&user=csv.formula' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-csv-formulas'], 'neutralised');
    const [, ...rows] = parseCsv(response.body);
    const column = (name: string) => CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number]);
    assert.deepEqual(rows.map((r) => r[column('app_svr_data')]).reverse(), formulas.map((f) => `'${f}`));
    assert.ok(rows.every((r) => r[column('user_rel_code')] === "'-5"), 'a text column holding -5 is prefixed');
    assert.ok(rows.every((r) => r[column('rel_code')] === '-1'), 'a numeric column stays a number');
  });

  it('when exporting NDJSON, then values starting like a formula stay exact and there is no CSV header', async () => {
    await storeCalls(t, [atTime(9_000, { app_svr_data: '=1+2', from_user_id: 'ndjson.formula' })]);
    const response = await t.app.inject({ method: 'GET', url: '/api/calls/export?format=ndjson&user=ndjson.formula' });
    assert.equal((JSON.parse(response.body) as { app_svr_data: string }).app_svr_data, '=1+2');
    assert.equal(response.headers['x-csv-formulas'], undefined);
  });

  it('when raw is neither true nor false, then the export answers 400 naming raw', async () => {
    const { status, body } = await getJson(t, '/api/calls/export?format=csv&raw=yes');
    assert.equal(status, 400);
    assert.equal(body.error.details[0]?.field, 'raw');
  });

  it('when exporting NDJSON across several storage chunks, then every matching call is one JSON line', async () => {
    await storeCalls(t, Array.from({ length: 2_345 }, (_, i) => atTime(100_000 + (i % 100), { from_user_id: 'bulk' })));
    const response = await t.app.inject({ method: 'GET', url: '/api/calls/export?format=ndjson&from_user_id=bulk' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^application\/x-ndjson/);
    const lines = response.body.trimEnd().split('\n').map((l) => JSON.parse(l) as { sid: string; status: { outcome: string } });
    assert.equal(lines.length, 2_345);
    assert.equal(new Set(lines.map((l) => l.sid)).size, 2_345);
    assert.ok(lines.every((l) => l.status.outcome === 'completed'));
  });

  it('when the format is unknown or a filter is bad, then it answers 400 before streaming', async () => {
    for (const [url, field] of [['/api/calls/export?format=xml', 'format'], ['/api/calls/export?min_duration=x', 'min_duration']] as const) {
      const { status, body } = await getJson(t, url);
      assert.equal(status, 400);
      assert.equal(body.error.details[0]?.field, field);
    }
  });
});

describe('reclassification on start', () => {
  it('when the app starts over calls stored by an older classifier, then they get the current outcome', async () => {
    const db = tempDatabaseFile();
    const store = createSqliteStore(db.file);
    try {
      const values = atTime(5_000, { start_time: '0', duration: '0', billing_sec: '0', terminate: '18', disconnect_reason: '1203', releaser_type: '4' });
      const record = deliveryOf(values);
      assert.equal(record.kind, 'event');
      if (record.kind !== 'event') return;
      const stale = { outcome: 'completed', ended_by: 'caller', reason: 'NORMAL', reason_source: 'disconnect_reason', classifier_version: CLASSIFIER_VERSION - 1 } as const;
      await store.recordCallbacks([{ ...record, classification: stale }]);
      const { app } = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), store });
      await app.ready();
      await app.close(); // waits for the background reclassification
      const call = await store.getCall(values.sid ?? '');
      assert.deepEqual([call?.outcome, call?.ended_by, call?.reason, call?.classifier_version], ['no_answer', 'server', 'NOANSWER', CLASSIFIER_VERSION]);
    } finally {
      await store.close();
      db.cleanup();
    }
  });
});
