import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { loadConfig } from '../config/load-config.js';
import type { CallStore } from '../storage/port.js';
import { openSpoolFile } from '../storage/spool/spool-file.js';
import { createSpoolingStore } from '../storage/spool/spooling-store.js';
import { createSqliteStore } from '../storage/sqlite/sqlite-store.js';
import { buildApp } from './build-app.js';

/** A safety bound while waiting for the replayer (not an assertion on speed). */
const DRAIN_LIMIT_MS = 15_000;

it('when the database is down behind a spool, then callbacks get 200 spooled, /readyz is 503 and says the spool takes callbacks, /metrics counts them; when it is back, all is replayed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-spool-http-'));
  const real = createSqliteStore(join(dir, 'db.sqlite'));
  let down = false;
  const outage = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const database: CallStore = {
    ...real,
    recordCallbacks: async (records) => (down ? Promise.reject(outage()) : real.recordCallbacks(records)),
    ping: async () => (down ? Promise.reject(outage()) : real.ping()),
  };
  const store = createSpoolingStore(database, openSpoolFile(join(dir, 'spool.db')), { logger: pino({ level: 'silent' }), minBackoffMs: 10, maxBackoffMs: 20 });
  const { app } = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), store, spool: store.spool });
  try {
    const ready = await app.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready', database: 'sqlite', spool: { status: 'standby', pending: 0, held: 0 } });

    down = true;
    const values = validCallbackValues();
    const send = (v: Record<string, string>) => app.inject({ url: `/callbacks/call-event?${new URLSearchParams(v)}` });
    const answers = [await send(values), await send(values), await send(validCallbackValues())];
    for (const answer of answers) assert.deepEqual([answer.statusCode, answer.json().result], [200, 'spooled']);
    const bad = await send({ ...values, sid: 'not-a-uuid' });
    assert.equal(bad.statusCode, 400, 'a malformed callback is still refused (and kept: spooled for quarantine)');

    const unready = await app.inject({ url: '/readyz' });
    assert.equal(unready.statusCode, 503);
    assert.deepEqual(unready.json(), { status: 'unavailable', database: 'sqlite', spool: { status: 'taking_callbacks', pending: 4, held: 0 } });
    const during = (await app.inject({ url: '/metrics' })).body;
    assert.match(during, /callevt_callbacks_total\{callback="call-event",result="spooled"\} 4\n/, 'the malformed one is spooled too, for quarantine');
    assert.match(during, /callevt_callbacks_total\{callback="call-event",result="rejected"\} 0\n/);
    assert.match(during, /callevt_spool_pending 4\n/);
    assert.match(during, /callevt_spool_held 0\n/);

    down = false;
    for (const started = Date.now(); store.spool.pending > 0; await sleep(5)) {
      if (Date.now() - started > DRAIN_LIMIT_MS) throw new Error('the spool did not drain');
    }
    const after = (await app.inject({ url: '/metrics' })).body;
    assert.match(after, /callevt_spool_pending 0\n/);
    assert.match(after, /callevt_spool_replayed_total\{result="accepted"\} 2\n/);
    assert.match(after, /callevt_spool_replayed_total\{result="duplicate"\} 1\n/);
    assert.match(after, /callevt_spool_replayed_total\{result="quarantined"\} 1\n/);
    assert.match(after, /callevt_calls_recorded_total\{outcome="completed",type="V"\} 2\n/);
    assert.equal((await real.getCall(values.sid ?? ''))?.sid, values.sid);
    assert.deepEqual((await app.inject({ url: '/readyz' })).json().spool, { status: 'standby', pending: 0, held: 0 });
  } finally {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('when there is no spool (SQLite, or SPOOL_FILE=off), then /readyz and /metrics keep their former shape', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-nospool-'));
  const store = createSqliteStore(join(dir, 'db.sqlite'));
  const { app } = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), store });
  try {
    assert.deepEqual((await app.inject({ url: '/readyz' })).json(), { status: 'ready', database: 'sqlite' });
    assert.doesNotMatch((await app.inject({ url: '/metrics' })).body, /callevt_spool_/);
  } finally {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
