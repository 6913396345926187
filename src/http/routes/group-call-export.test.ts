import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GROUP_SESSION_CSV_COLUMNS, GROUP_STAY_CSV_COLUMNS } from '../../domain/group/group-export-lines.js';
import { GROUP_EXPORT_PAGE } from '../../domain/group/stream-group-lines.js';
import { groupDeliveryOf } from '../../../test/contract/group-calls-contract.js';
import { groupCallValuesOf, newGroupSid, validGroupCallEvent } from '../../../test/fixtures/group-call-fixture.js';
import { parseCsv } from '../../../test/fixtures/parse-csv.js';
import { createTestApp, type TestApp } from '../../../test/fixtures/test-app.js';

const T0 = 1_700_000_000_000;
const TOKEN = 'token-token-token-token';
const auth = { authorization: `Bearer ${TOKEN}` };

/** A CSV export read back as one object per line, keyed by the header. */
function csvRecords(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  return rows.map((row) => Object.fromEntries((header ?? []).map((column, i) => [column, row[i] ?? ''])));
}

describe('GET /api/group-calls/export', () => {
  let t: TestApp;
  const clock = T0 + 10 * 60_000;
  // Room A (ended): the host, and a guest "=HYPERLINK(…)" who drops (NETWORK_UNSTABLE). Room B, a minute later, open: the host, and carol refused.
  const roomA = newGroupSid();
  const roomB = newGroupSid();
  before(async () => {
    t = await createTestApp({ API_TOKEN: TOKEN, GROUP_END_DEADLINE: '1h' }, { now: () => clock });
    const events = [
      validGroupCallEvent({ sid: roomA, id: 'room-a', sc: 'S', msc: 'C', user_id: 'host', ts: T0 }),
      validGroupCallEvent({ sid: roomA, id: 'room-a', sc: 'C', msc: 'C', user_id: 'guest', ts: T0 + 1_000, online: 2, display_name: '=HYPERLINK("x")' }),
      validGroupCallEvent({ sid: roomA, id: 'room-a', sc: 'C', msc: 'M', user_id: 'guest', ts: T0 + 2_000, online: 2, media_type: 'A' }),
      validGroupCallEvent({ sid: roomA, id: 'room-a', sc: 'C', msc: 'D', user_id: 'guest', ts: T0 + 11_000, online: 1, disconnect_reason: 1301, releaser_type: 4 }),
      validGroupCallEvent({ sid: roomA, id: 'room-a', sc: 'E', msc: 'D', user_id: 'host', ts: T0 + 30_000, online: 0, disconnect_reason: 1001, releaser_type: 3 }),
      validGroupCallEvent({ sid: roomB, id: 'room-b', sc: 'S', msc: 'C', user_id: 'host', ts: T0 + 60_000 }),
      validGroupCallEvent({ sid: roomB, id: 'room-b', sc: 'C', msc: 'D', user_id: 'carol', ts: T0 + 61_000, disconnect_reason: 1401, releaser_type: 4 }),
    ];
    for (const event of events) {
      const res = await t.app.inject({ url: `/callbacks/group-call-event?${new URLSearchParams(groupCallValuesOf(event))}` });
      assert.equal(res.statusCode, 200, res.body);
    }
  });
  after(() => t.cleanup());

  it('when sessions are exported as CSV, then the answer is a download whose lines read back as the list, newest start first, formulas neutralised', async () => {
    const res = await t.app.inject({ url: '/api/group-calls/export', headers: auth });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
    assert.equal(res.headers['content-disposition'], 'attachment; filename="group-calls.csv"');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['x-csv-formulas'], 'neutralised');
    assert.deepEqual(parseCsv(res.body)[0], [...GROUP_SESSION_CSV_COLUMNS]);
    const lines = csvRecords(res.body);
    const list = (await t.app.inject({ url: '/api/group-calls', headers: auth })).json().items as Array<Record<string, unknown>>;
    assert.deepEqual(lines.map((l) => l.sid), [roomB, roomA]);
    for (const [i, line] of lines.entries()) {
      const item = list[i] ?? {};
      for (const column of GROUP_SESSION_CSV_COLUMNS) {
        if (column === 'flags') assert.equal(line.flags, (item.flags as Array<{ code: string }>).map((f) => f.code).join(' '));
        else assert.equal(line[column], item[column] === null ? '' : String(item[column]), `${column} of ${line.sid}`);
      }
    }
    assert.equal(lines[1]?.state, 'ended');
    assert.equal(lines[0]?.state, 'in_progress');
  });

  it('when stays are exported as CSV, then each stay is a line with its session, times, status, reason, ended_by and duration', async () => {
    const res = await t.app.inject({ url: '/api/group-calls/export?format=csv&rows=stays', headers: auth });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-disposition'], 'attachment; filename="group-call-stays.csv"');
    assert.deepEqual(parseCsv(res.body)[0], [...GROUP_STAY_CSV_COLUMNS]);
    const lines = csvRecords(res.body);
    assert.deepEqual(lines.map((l) => `${l.id} ${l.user_id} ${l.status}`), ['room-b host in_room', 'room-b carol failed_to_join', 'room-a host completed', 'room-a guest dropped']);
    const guest = lines.find((l) => l.user_id === 'guest');
    assert.deepEqual(
      { sid: guest?.sid, started: guest?.session_started_at, ended: guest?.session_ended_at, state: guest?.session_state },
      { sid: roomA, started: String(T0), ended: String(T0 + 30_000), state: 'ended' },
    );
    assert.deepEqual(
      [guest?.joined_at, guest?.left_at, guest?.duration_ms, guest?.reason, guest?.ended_by, guest?.disconnect_reason, guest?.media_changes],
      [String(T0 + 1_000), String(T0 + 11_000), '10000', 'NETWORK_UNSTABLE', 'server', '1301', `${T0 + 2_000}:A`],
    );
    assert.equal(guest?.display_name, '\'=HYPERLINK("x")', 'a formula gets a leading quote');
    const carol = lines.find((l) => l.user_id === 'carol');
    assert.deepEqual([carol?.joined_at, carol?.duration_ms, carol?.reason, carol?.session_ended_at], ['', '', 'ROOM_IS_FULL', '']);
    const raw = await t.app.inject({ url: '/api/group-calls/export?rows=stays&raw=true&user_id=guest', headers: auth });
    assert.equal(raw.headers['x-csv-formulas'], 'raw');
    assert.deepEqual(csvRecords(raw.body).map((l) => [l.user_id, l.display_name]), [['host', ''], ['guest', '=HYPERLINK("x")']]);
  });

  it('when exported as NDJSON, then each session line is the list item and each stay line the stay with its session', async () => {
    const sessions = await t.app.inject({ url: '/api/group-calls/export?format=ndjson', headers: auth });
    assert.equal(sessions.statusCode, 200);
    assert.equal(sessions.headers['content-type'], 'application/x-ndjson; charset=utf-8');
    assert.equal(sessions.headers['x-csv-formulas'], undefined);
    const list = (await t.app.inject({ url: '/api/group-calls', headers: auth })).json().items;
    assert.deepEqual(sessions.body.trimEnd().split('\n').map((line) => JSON.parse(line)), list);

    const stays = await t.app.inject({ url: '/api/group-calls/export?format=ndjson&rows=stays', headers: auth });
    assert.equal(stays.headers['content-disposition'], 'attachment; filename="group-call-stays.ndjson"');
    const one = (await t.app.inject({ url: `/api/group-calls/${roomA}`, headers: auth })).json();
    const lines = stays.body.trimEnd().split('\n').map((line) => JSON.parse(line)).filter((line) => line.sid === roomA);
    const session = { sid: roomA, svc_id: one.svc_id, id: 'room-a', session_started_at: T0, session_ended_at: T0 + 30_000, session_state: 'ended' };
    assert.deepEqual(lines, one.stays.map((stay: object) => ({ ...session, ...stay })));
    assert.equal(lines.find((l) => l.user_id === 'guest')?.display_name, '=HYPERLINK("x")', 'NDJSON is exact');
  });

  it('when filters are given, then the export holds the sessions the list holds', async () => {
    for (const query of ['id=room-a', 'state=in_progress', 'stay_status=failed_to_join', 'user_id=guest', `from=${T0 + 1}`, 'host_id=nobody']) {
      const list = (await t.app.inject({ url: `/api/group-calls?${query}`, headers: auth })).json().items.map((c: { sid: string }) => c.sid);
      const exported = csvRecords((await t.app.inject({ url: `/api/group-calls/export?${query}`, headers: auth })).body).map((l) => l.sid);
      assert.deepEqual(exported, list, query);
    }
    const stays = csvRecords((await t.app.inject({ url: '/api/group-calls/export?rows=stays&stay_status=failed_to_join', headers: auth })).body);
    assert.deepEqual(stays.map((l) => l.user_id), ['host', 'carol'], 'the filters select sessions: every stay of a matching one');
  });

  it('when more sessions match than one store page holds, then the export has every one once, newest start first, across chunks', async () => {
    const count = GROUP_EXPORT_PAGE * 2 + 3;
    const sids = Array.from({ length: count }, () => newGroupSid());
    // Started a second apart, before the two rooms above; one of them starts at the same ms as its neighbour (ties go by sid).
    const starts = sids.map((_, i) => T0 - 1_000_000 - i * 1_000 + (i === 7 ? 1_000 : 0));
    await t.store.recordCallbacks(sids.map((sid, i) => groupDeliveryOf(groupCallValuesOf(validGroupCallEvent({ sid, id: 'bulk', sc: 'S', ts: starts[i] })))));
    const res = await t.app.inject({ url: '/api/group-calls/export?format=ndjson&id=bulk', headers: auth });
    const exported = res.body.trimEnd().split('\n').map((line) => (JSON.parse(line) as { sid: string }).sid);
    const expected = sids.map((sid, i) => ({ sid, start: starts[i] ?? 0 })).sort((a, b) => b.start - a.start || (a.sid < b.sid ? 1 : -1)).map((s) => s.sid);
    assert.equal(exported.length, count);
    assert.deepEqual(exported, expected);
    assert.ok(res.body.length > 64 * 1024, 'more than one chunk');
  });

  it('when a parameter is bad, then it answers 400 naming it; without the token 401', async () => {
    const filters = await t.app.inject({ url: '/api/group-calls/export?state=gone&from=yesterday', headers: auth });
    assert.equal(filters.statusCode, 400);
    assert.deepEqual(filters.json().error.details.map((d: { field: string }) => d.field).sort(), ['from', 'state']);
    for (const [query, field] of [['rows=calls', 'rows'], ['format=xml', 'format'], ['raw=yes', 'raw'], ['rows=stays&rows=sessions', 'rows']] as const) {
      const res = await t.app.inject({ url: `/api/group-calls/export?${query}`, headers: auth });
      assert.equal(res.statusCode, 400, query);
      assert.equal(res.json().error.code, 'invalid_parameter');
      assert.deepEqual(res.json().error.details.map((d: { field: string }) => d.field), [field], query);
    }
    assert.equal((await t.app.inject({ url: '/api/group-calls/export' })).statusCode, 401);
    assert.equal((await t.app.inject({ url: '/api/group-calls/export', headers: { authorization: 'Bearer wrong-token-wrong-token' } })).statusCode, 401);
  });
});
