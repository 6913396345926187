import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createWriteStream } from 'node:fs';
import { loadConfig } from '../../config/load-config.js';
import { CSV_COLUMNS } from '../../domain/call-log/call-csv.js';
import { CLASSIFIER_VERSION } from '../../domain/classify/release-codes.js';
import { type RunningServer, startServer } from '../../server.js';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { SEED_EXAMPLE_QUERY, validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { parseCsv } from '../../../test/fixtures/parse-csv.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { deliveryOf } from '../../../test/contract/ingest-contract.js';
import { runCall } from './call.js';
import { runCalls } from './calls.js';
import { runExport } from './export.js';
import { runReclassify } from './reclassify.js';
import { runStats } from './stats.js';

const TOKEN = 'cli-test-token-0123456789';
const SEED_SID = '6364e8b3-bdac-436e-9631-0bce2498ce0c';

/** A database with the seed example, a dropped call and a busy call; and a server over it. */
describe('call log commands', () => {
  const db = tempDatabaseFile();
  let server: RunningServer;
  let dropped = '';
  before(async () => {
    const store = createSqliteStore(db.file);
    const values = [
      Object.fromEntries(new URLSearchParams(SEED_EXAMPLE_QUERY)),
      validCallbackValues({ setup_time: '1767225600', start_time: '1767225605', end_time: '1767225650', duration: '45', billing_sec: '45', disconnect_reason: '1301', releaser_type: '4', from_user_id: 'alice', app_svr_data: 'a,"b"\nc' }),
      validCallbackValues({ setup_time: '1767225000', start_time: '0', end_time: '1767225010', duration: '0', billing_sec: '0', terminate: '17', disconnect_reason: '1202', releaser_type: '1', to_user_id: 'alice', stid: '@SUM(1+1)' }),
    ];
    dropped = values[1]?.sid ?? '';
    await store.recordCallbacks(values.map((v) => deliveryOf(v)));
    await store.close();
    server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: db.file, API_TOKEN: TOKEN, LOG_LEVEL: 'silent' }));
  });
  after(async () => {
    await server.close();
    db.cleanup();
  });

  it('when `calls` runs on the database with --tz, then it prints a table with local times, parties, type, duration, outcome and reason', async () => {
    const text = await runCalls({ db: db.file, tz: 'Asia/Tokyo', limit: '50' });
    const lines = text.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^time\s+caller\s+callee\s+type\s+duration\s+outcome\s+reason$/);
    assert.match(lines[1] ?? '', /^2026-01-01 09:00:00 \+09:00\s+alice\s+callee\.1\s+video\s+0:45\s+dropped\s+NETWORK_UNSTABLE$/);
    assert.match(lines[2] ?? '', /busy\s+BUSY$/);
    assert.match(lines[3] ?? '', /^2020-02-24 15:57:00 \+09:00\s+9286\s+2809\s+video\s+0:00\s+rejected\s+CALLEE_END$/);
  });

  it('when `calls` runs with filters against the server, then it prints the same as against the database', async () => {
    const options = { tz: 'UTC', limit: '50', user: 'alice', outcome: ['dropped'] };
    const viaServer = await runCalls({ ...options, url: server.url, token: TOKEN });
    const viaDb = await runCalls({ ...options, db: db.file });
    assert.equal(viaServer, viaDb);
    assert.equal(viaDb.trimEnd().split('\n').length, 2);
    assert.match(viaDb, /2026-01-01 00:00:00 \+00:00/);
    const page = JSON.parse(await runCalls({ ...options, db: db.file, json: true })) as { items: Array<{ sid: string }> };
    assert.deepEqual(page.items.map((c) => c.sid), [dropped]);
  });

  it('when `calls --json` and `--csv` run, then they print the API page and CSV with the export columns', async () => {
    const page = JSON.parse(await runCalls({ db: db.file, limit: '2', json: true })) as { items: Array<{ sid: string }>; next_cursor: string };
    assert.equal(page.items.length, 2);
    const rest = JSON.parse(await runCalls({ url: server.url, token: TOKEN, limit: '2', json: true, cursor: page.next_cursor })) as { items: Array<{ sid: string }> };
    assert.deepEqual(rest.items.map((c) => c.sid), [SEED_SID]);
    const [header, ...rows] = parseCsv(await runCalls({ db: db.file, limit: '50', csv: true, user: 'alice' }));
    assert.deepEqual(header, [...CSV_COLUMNS]);
    assert.equal(rows.length, 2);
    assert.equal(rows[0]?.[CSV_COLUMNS.indexOf('app_svr_data')], 'a,"b"\nc');
  });

  it('when `calls --csv` prints a text value starting like a formula, then it gets a leading quote; with --raw it is as stored', async () => {
    const stid = (text: string) => parseCsv(text).map((row) => row[CSV_COLUMNS.indexOf('stid')]);
    assert.deepEqual(stid(await runCalls({ db: db.file, limit: '50', csv: true, outcome: ['busy'] })), ['stid', "'@SUM(1+1)"]);
    assert.deepEqual(stid(await runCalls({ url: server.url, token: TOKEN, limit: '50', csv: true, outcome: ['busy'] })), ['stid', "'@SUM(1+1)"]);
    assert.deepEqual(stid(await runCalls({ db: db.file, limit: '50', csv: true, raw: true, outcome: ['busy'] })), ['stid', '@SUM(1+1)']);
  });

  it('when `stats` runs with CALLEVT_URL and CALLEVT_TOKEN set and no flag, then it reads that server', async () => {
    const env = { CALLEVT_URL: server.url, CALLEVT_TOKEN: TOKEN, DATABASE_URL: join(db.file, '..', 'not-this.db') };
    const body = JSON.parse(await runStats({ filter: [], json: true, from: '0' }, env)) as { summary: { attempts: number } };
    assert.equal(body.summary.attempts, 3);
    await assert.rejects(runStats({ filter: [], json: true }, { CALLEVT_URL: server.url }), /401 unauthorized/);
  });

  it('when a filter flag is bad, then the command fails naming the flag (database) or the parameter (server)', async () => {
    await assert.rejects(runCalls({ db: db.file, limit: '50', minDuration: 'x' } as never), /--min-duration/);
    await assert.rejects(runCalls({ url: server.url, token: TOKEN, limit: '50', minDuration: 'x' } as never), /400 invalid_parameter.*min_duration/);
    await assert.rejects(runCalls({ db: db.file, limit: '50', tz: 'Mars/Olympus' }), /--tz/);
  });

  it('when the server needs a token and none or a wrong one is given, then the command fails with 401', async () => {
    await assert.rejects(runCalls({ url: server.url, limit: '5' }), /401 unauthorized/);
    await assert.rejects(runCalls({ url: server.url, token: `${TOKEN}x`, limit: '5' }), /401 unauthorized/);
  });

  it('when `call <sid>` runs, then it prints the outcome, who ended it, the explanation, decoded codes and inconsistencies', async () => {
    const text = (await runCall(SEED_SID, { db: db.file, tz: 'UTC' })) ?? '';
    assert.match(text, /^outcome\s+rejected \(never connected\)$/m);
    assert.match(text, /^ended by\s+callee$/m);
    assert.match(text, /^reason\s+CALLEE_END\s+\(from call_end_reason\)$/m);
    assert.match(text, /^explanation\s+The call never connected \(no talk time\)/m);
    assert.doesNotMatch(text, /The call connected/);
    assert.match(text, /^ {2}terminate\s+16 {2}NORMAL_CLEARING: normal release$/m);
    assert.match(text, /^ {2}call_end_reason\s+1005 {2}CALLEE_END/m);
    assert.match(text, /^ {2}- terminate_normal_without_duration: /m);
    assert.match(text, /^ {2}- normal_reason_without_connection: .*counted as rejected/m);
    assert.equal(await runCall(SEED_SID, { url: server.url, token: TOKEN, tz: 'UTC' }), text);
  });

  it('when `call` is asked for an unknown sid, then it answers null (exit 3) from both sources', async () => {
    assert.equal(await runCall('00000000-0000-0000-0000-000000000000', { db: db.file }), null);
    assert.equal(await runCall('00000000-0000-0000-0000-000000000000', { url: server.url, token: TOKEN }), null);
  });

  it('when `export` writes CSV to a file from the database and from the server, then both files hold the same calls', async () => {
    const fromDb = join(db.file, '..', 'db.csv');
    const fromServer = join(db.file, '..', 'server.csv');
    const progress = new PassThrough();
    const summary = await runExport({ db: db.file, format: 'csv', out: fromDb }, createWriteStream(fromDb), progress);
    assert.match(summary, /^exported 3 calls as csv/);
    await runExport({ url: server.url, token: TOKEN, format: 'csv', out: fromServer }, createWriteStream(fromServer), null);
    const a = parseCsv(readFileSync(fromDb, 'utf8'));
    assert.equal(a.length, 4);
    assert.deepEqual(parseCsv(readFileSync(fromServer, 'utf8')), a);
    assert.ok(a.some((row) => row[CSV_COLUMNS.indexOf('stid')] === "'@SUM(1+1)"), 'neutralised by default');
  });

  it('when `export --raw` writes CSV from the database and from the server, then formula-like cells are exactly as stored in both', async () => {
    const fromDb = join(db.file, '..', 'db-raw.csv');
    const fromServer = join(db.file, '..', 'server-raw.csv');
    await runExport({ db: db.file, format: 'csv', raw: true, out: fromDb }, createWriteStream(fromDb), null);
    await runExport({ url: server.url, token: TOKEN, format: 'csv', raw: true, out: fromServer }, createWriteStream(fromServer), null);
    const a = parseCsv(readFileSync(fromDb, 'utf8'));
    assert.ok(a.some((row) => row[CSV_COLUMNS.indexOf('stid')] === '@SUM(1+1)'));
    assert.deepEqual(parseCsv(readFileSync(fromServer, 'utf8')), a);
  });

  it('when `export --format ndjson` filters by outcome, then only those calls are written', async () => {
    const out = join(db.file, '..', 'busy.ndjson');
    await runExport({ db: db.file, format: 'ndjson', out, outcome: ['busy', 'dropped'] } as never, createWriteStream(out), null);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { status: { outcome: string } });
    assert.deepEqual(lines.map((l) => l.status.outcome), ['dropped', 'busy']);
    await assert.rejects(runExport({ db: db.file, format: 'xml' }, new PassThrough(), null), /--format/);
  });

  it('when `reclassify` runs over calls stored by an older classifier, then it updates them and says how many', async () => {
    const other = tempDatabaseFile();
    try {
      const store = createSqliteStore(other.file);
      const record = deliveryOf(validCallbackValues());
      if (record.kind === 'event') {
        await store.recordCallbacks([{ ...record, classification: { ...record.classification, outcome: 'failed', classifier_version: CLASSIFIER_VERSION - 1 } }]);
      }
      await store.close();
      assert.match(await runReclassify(other.file, null), /^reclassified 1 call to classifier v\d+; 1 changed/);
      assert.match(await runReclassify(other.file, null), /^reclassified 0 calls/);
    } finally {
      other.cleanup();
    }
  });

  it('when the CLI binary runs `calls --json`, then it prints the page and exits 0', () => {
    const here = fileURLToPath(import.meta.url);
    const compiled = here.endsWith('.js');
    const main = fileURLToPath(new URL(`../main.${compiled ? 'js' : 'ts'}`, import.meta.url));
    const result = spawnSync(process.execPath, [...(compiled ? [] : ['--import', 'tsx']), main, 'calls', '--db', db.file, '--json', '--outcome', 'busy'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 0, result.stderr);
    const page = JSON.parse(result.stdout) as { items: Array<{ status: { outcome: string } }> };
    assert.deepEqual(page.items.map((c) => c.status.outcome), ['busy']);
  });
});
