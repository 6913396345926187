import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../config/load-config.js';
import { GROUP_SESSION_CSV_COLUMNS, GROUP_STAY_CSV_COLUMNS } from '../../domain/group/group-export-lines.js';
import { type RunningServer, startServer } from '../../server.js';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { groupDeliveryOf } from '../../../test/contract/group-calls-contract.js';
import { groupCallValuesOf, newGroupSid, validGroupCallEvent } from '../../../test/fixtures/group-call-fixture.js';
import { parseCsv } from '../../../test/fixtures/parse-csv.js';
import { runCli } from '../../../test/fixtures/run-cli.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { runGroupCall } from './group-call.js';
import { runGroupCalls } from './group-calls.js';

const TOKEN = 'cli-group-token-0123456789';
/** 2026-01-01T00:00:00Z: old enough that the open room reads end_missing with the default deadline. */
const T0 = 1_767_225_600_000;

/**
 * A database with two rooms and a server over it. Room A (ended): alice hosts; bob joins,
 * switches to audio and drops; carol is refused. Room B, an hour later, never ends.
 */
describe('group call commands', () => {
  const db = tempDatabaseFile();
  let server: RunningServer;
  const roomA = newGroupSid();
  const roomB = newGroupSid();
  const server$ = () => ({ url: server.url, token: TOKEN });
  before(async () => {
    const store = createSqliteStore(db.file);
    const a = { sid: roomA, id: 'room-a', host_id: 'alice' };
    const events = [
      validGroupCallEvent({ ...a, sc: 'S', msc: 'C', user_id: 'alice', ts: T0 }),
      validGroupCallEvent({ ...a, sc: 'C', msc: 'C', user_id: 'bob', ts: T0 + 5_000, online: 2, display_name: 'Bob' }),
      validGroupCallEvent({ ...a, sc: 'C', msc: 'M', user_id: 'bob', ts: T0 + 20_000, online: 2, media_type: 'A' }),
      validGroupCallEvent({ ...a, sc: 'C', msc: 'D', user_id: 'bob', ts: T0 + 65_000, online: 1, disconnect_reason: 1301, releaser_type: 4 }),
      validGroupCallEvent({ ...a, sc: 'C', msc: 'D', user_id: 'carol', ts: T0 + 70_000, online: 1, disconnect_reason: 1401, releaser_type: 4 }),
      validGroupCallEvent({ ...a, sc: 'E', msc: 'D', user_id: 'alice', ts: T0 + 90_000, online: 0, disconnect_reason: 1001, releaser_type: 3 }),
      validGroupCallEvent({ sid: roomB, id: 'room-b', host_id: 'dave', sc: 'S', msc: 'C', user_id: 'dave', ts: T0 + 3_600_000 }),
    ];
    await store.recordCallbacks(events.map((e) => groupDeliveryOf(groupCallValuesOf(e))));
    await store.close();
    server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: db.file, API_TOKEN: TOKEN, LOG_LEVEL: 'silent' }));
  });
  after(async () => {
    await server.close();
    db.cleanup();
  });

  it('when `group-calls` runs against the server, then it prints a table of sessions, newest start first, the same as from the database', async () => {
    const viaServer = await runGroupCalls({ ...server$(), tz: 'Asia/Tokyo', limit: '50' });
    const lines = viaServer.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^sid\s+started\s+room\s+host\s+media\s+state\s+duration\s+participants\s+peak$/);
    assert.match(lines[1] ?? '', new RegExp(`^${roomB}\\s+2026-01-01 10:00:00 \\+09:00\\s+room-b @ linecorp.com\\s+dave\\s+video\\s+end_missing\\s+-\\s+1\\s+1$`));
    assert.match(lines[2] ?? '', new RegExp(`^${roomA}\\s+2026-01-01 09:00:00 \\+09:00\\s+room-a @ linecorp.com\\s+alice\\s+video\\s+ended\\s+1:30\\s+2\\s+2$`));
    assert.equal(await runGroupCalls({ db: db.file, tz: 'Asia/Tokyo', limit: '50' }), viaServer);
  });

  it('when `group-calls` has filters, --limit and --cursor, --json and --csv, then it prints the API page and CSV rows of those sessions', async () => {
    const first = JSON.parse(await runGroupCalls({ ...server$(), limit: '1', json: true })) as { items: Array<{ sid: string }>; next_cursor: string };
    assert.deepEqual(first.items.map((c) => c.sid), [roomB]);
    const rest = JSON.parse(await runGroupCalls({ db: db.file, limit: '1', json: true, cursor: first.next_cursor })) as { items: Array<{ sid: string }>; next_cursor: null };
    assert.deepEqual([rest.items.map((c) => c.sid), rest.next_cursor], [[roomA], null]);
    assert.match(await runGroupCalls({ ...server$(), limit: '1', tz: 'UTC' }), /\nmore: --cursor \S+\n$/);
    const filtered = JSON.parse(await runGroupCalls({ ...server$(), limit: '50', json: true, stayStatus: 'failed_to_join', userId: 'carol' })) as { items: Array<{ sid: string }> };
    assert.deepEqual(filtered.items.map((c) => c.sid), [roomA]);
    const [header, ...rows] = parseCsv(await runGroupCalls({ ...server$(), limit: '50', csv: true, state: 'end_missing' }));
    assert.deepEqual(header, [...GROUP_SESSION_CSV_COLUMNS]);
    assert.deepEqual(rows.map((r) => r[0]), [roomB]);
    assert.equal(await runGroupCalls({ ...server$(), limit: '50', tz: 'UTC', hostId: 'nobody' }), 'no group calls match\n');
  });

  it('when `group-call <sid>` runs, then it prints the session and a timeline of each stay: join, media change, leave with duration, status, reason and who ended it', async () => {
    const text = await runGroupCall(roomA.toUpperCase(), { ...server$(), tz: 'UTC' });
    assert.ok(text !== null);
    assert.match(text, new RegExp(`^group call ${roomA} \\(video\\)\n`));
    assert.match(text, /\n {2}ended {9}2026-01-01 00:01:30 \+00:00\n/);
    assert.match(text, /\n {2}participants {2}2 \(peak online 2, final online 0, most stays at once 2\)\n/);
    assert.match(text, /\nstays \(3\)\n {2}participant\s+joined\s+left\s+duration\s+status\s+reason\s+ended by\n/);
    assert.match(text, /\n {2}bob "Bob"\s+2026-01-01 00:00:05 \+00:00\s+2026-01-01 00:01:05 \+00:00\s+1:00\s+dropped\s+NETWORK_UNSTABLE\s+server\n/);
    assert.match(text, /\n {2}carol\s+-\s+2026-01-01 00:01:10 \+00:00\s+-\s+failed_to_join\s+ROOM_IS_FULL\s+server\n/);
    const timeline = text.slice(text.indexOf('\ntimeline\n'));
    const moments = [
      'alice joined (video, ANDROID)',
      'bob "Bob" joined (video, ANDROID)',
      'bob "Bob" switched to audio',
      'bob "Bob" left after 1:00: dropped, NETWORK_UNSTABLE, ended by server',
      'carol failed to join, ROOM_IS_FULL, ended by server',
      'alice left after 1:30: completed, NORMAL, ended by participant',
    ];
    let at = 0;
    for (const moment of moments) {
      const found = timeline.indexOf(moment, at);
      assert.ok(found > at, `${moment} after the moments before it, in:\n${timeline}`);
      at = found;
    }
    assert.equal(await runGroupCall(roomA, { db: db.file, tz: 'UTC' }), text);
    const json = JSON.parse((await runGroupCall(roomA, { ...server$(), json: true })) ?? '') as { stays: unknown[] };
    assert.equal(json.stays.length, 3);
    assert.equal(await runGroupCall(newGroupSid(), server$()), null);
  });

  it('when the CLI exports group calls to a file and to stdout, then the CSV reads back with every stay, and NDJSON holds one session per line', async () => {
    const file = join(db.file, '..', 'stays.csv');
    const env = { CALLEVT_URL: server.url, CALLEVT_TOKEN: TOKEN };
    const toFile = await runCli(['group-calls', '--export', 'csv', '--rows', 'stays', '--out', file, '--id', 'room-a'], env);
    assert.equal(toFile.status, 0, toFile.stderr);
    assert.match(toFile.stderr, /exported \d+ bytes as csv to .*stays\.csv in \d+\.\d s\n$/);
    const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'));
    assert.deepEqual(header, [...GROUP_STAY_CSV_COLUMNS]);
    const status = GROUP_STAY_CSV_COLUMNS.indexOf('status');
    assert.deepEqual(rows.map((r) => `${r[GROUP_STAY_CSV_COLUMNS.indexOf('user_id')]} ${r[status]}`), ['alice completed', 'bob dropped', 'carol failed_to_join']);

    const fromDb = await runCli(['group-calls', '--export', 'ndjson', '--no-progress', '--db', db.file]);
    assert.equal(fromDb.status, 0, fromDb.stderr);
    assert.deepEqual(fromDb.stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as { sid: string }).sid), [roomB, roomA]);
    assert.match(fromDb.stderr, /^exported 2 sessions as ndjson in /);
  });

  it('when flags do not fit, then the CLI says which and exits 1; an unknown sid exits 3; the help names the commands and flags', async () => {
    const env = { CALLEVT_URL: server.url, CALLEVT_TOKEN: TOKEN };
    const rowsWithoutExport = await runCli(['group-calls', '--rows', 'stays'], env);
    assert.equal(rowsWithoutExport.status, 1);
    assert.match(rowsWithoutExport.stderr, /--rows needs --export/);
    const pageWithExport = await runCli(['group-calls', '--export', 'csv', '--json', '--limit', '5'], env);
    assert.equal(pageWithExport.status, 1);
    assert.match(pageWithExport.stderr, /--json, --limit show one page: not with --export/);
    const badRows = await runCli(['group-calls', '--export', 'csv', '--rows', 'calls'], env);
    assert.match(badRows.stderr, /--rows must be one of sessions, stays \(got "calls"\)/);
    const badState = await runCli(['group-calls', '--state', 'gone'], env);
    assert.equal(badState.status, 1);
    assert.match(badState.stderr, /400 invalid_parameter.*state must be one of ended, in_progress, end_missing/);
    const badStateDb = await runCli(['group-calls', '--state', 'gone', '--db', db.file]);
    assert.match(badStateDb.stderr, /--state must be one of ended, in_progress, end_missing/);
    const missing = await runCli(['group-call', newGroupSid()], env);
    assert.equal(missing.status, 3);
    assert.match(missing.stderr, /no group call with sid/);
    const noToken = await runCli(['group-calls', '--url', server.url]);
    assert.equal(noToken.status, 1);
    assert.match(noToken.stderr, /401 unauthorized/);
    const help = await runCli(['--help']);
    assert.match(help.stdout, /\n {2}group-calls \[options\]\s+list group calls/);
    assert.match(help.stdout, /\n {2}group-call \[options\] <sid>\s+show one group call/);
    const listHelp = await runCli(['group-calls', '--help']);
    for (const flag of ['--export <format>', '--rows <rows>', '--out <file>', '--stay-status <status>', '--host-id <id>', '--url <url>', '--token <token>', '--db <url>']) {
      assert.ok(listHelp.stdout.includes(flag), `group-calls --help names ${flag}`);
    }
  });
});
