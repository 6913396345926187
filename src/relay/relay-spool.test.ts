import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import pino from 'pino';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { startRelayTarget } from '../../test/fixtures/relay-target.js';
import { loadConfig } from '../config/load-config.js';
import { buildApp } from '../http/build-app.js';
import type { CallStore } from '../storage/port.js';
import { openSpoolFile } from '../storage/spool/spool-file.js';
import { createSpoolingStore } from '../storage/spool/spooling-store.js';
import { createSqliteStore } from '../storage/sqlite/sqlite-store.js';

it('when callbacks were spooled while the database was down, then they are relayed once the spool moved them into the database', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-relay-spool-'));
  const target = await startRelayTarget();
  const real = createSqliteStore(join(dir, 'db.sqlite'), { relayCallEvents: true });
  let down = true;
  const outage = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const database: CallStore = { ...real, recordCallbacks: async (records) => (down ? Promise.reject(outage()) : real.recordCallbacks(records)) };
  const store = createSpoolingStore(database, openSpoolFile(join(dir, 'spool.db')), { logger: pino({ level: 'silent' }), minBackoffMs: 10, maxBackoffMs: 20 });
  const config = loadConfig({ LOG_LEVEL: 'silent', CALL_EVENT_RELAY_URL: `${target.url}/cb` });
  const { app } = await buildApp({ config, store, spool: store.spool, relayPollMs: 10 });
  try {
    const sent = [validCallbackValues(), validCallbackValues()];
    for (const values of sent) {
      const answer = await app.inject({ url: `/callbacks/call-event?${new URLSearchParams(values)}` });
      assert.equal(answer.json().result, 'spooled');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(target.received.length, 0, 'nothing is relayed before it is in the database');
    down = false;
    const received = await target.waitFor(2);
    assert.deepEqual(received.map((r) => r.url).sort(), sent.map((v) => `/cb?${new URLSearchParams(v)}`).sort());
  } finally {
    await app.close();
    await store.close();
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
