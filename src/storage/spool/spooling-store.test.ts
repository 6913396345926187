import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { keyedDeliveryOf } from '../../../test/contract/call-life-contract.js';
import { deliveryOf, rawRequest } from '../../../test/contract/ingest-contract.js';
import { validAgentCallStatusValues, validCallbackValues, validNotifyValues } from '../../../test/fixtures/callback-fixture.js';
import { countRows, readRawRequests } from '../../../test/fixtures/raw-requests.js';
import { malformedRecord } from '../../ingest/receive-callback.js';
import type { CallbackRecord, CallStore, RecordResult } from '../port.js';
import { createSqliteStore } from '../sqlite/sqlite-store.js';
import { isDatabaseUnavailable } from '../database-unavailable.js';
import { openSpoolFile, type SpoolFile } from './spool-file.js';
import { createSpoolingStore, type SpoolingStore } from './spooling-store.js';

/** A safety bound while waiting for the replayer (not an assertion on speed). */
const DRAIN_LIMIT_MS = 15_000;

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

interface Harness {
  store: SpoolingStore;
  spool: SpoolFile;
  spoolFile: string;
  /** The real database behind (SQLite here; its file for row counts). */
  file: string;
  /** While set, every commit to the database throws it. */
  fail(error: Error | null): void;
  /** While set, every commit holding a record of this sid throws this error. */
  poison(sid: string | null, error?: Error): void;
  /** Commits the database saw (attempted), with their sizes. */
  attempts: number[];
  logs: Array<{ level: string; msg: string }>;
  replayed: Array<{ records: readonly CallbackRecord[]; results: readonly RecordResult[] }>;
  cleanup(): Promise<void>;
}

function open(prefill: (spool: SpoolFile) => void = () => {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-spooling-'));
  const file = join(dir, 'db.sqlite');
  const real = createSqliteStore(file);
  let failure: Error | null = null;
  let poisoned: { sid: string; error: Error } | null = null;
  const attempts: number[] = [];
  const database: CallStore = {
    ...real,
    async recordCallbacks(records) {
      attempts.push(records.length);
      if (failure !== null) throw failure;
      if (poisoned !== null && records.some((r) => r.kind === 'event' && r.event.sid === poisoned?.sid)) throw poisoned.error;
      return real.recordCallbacks(records);
    },
  };
  const spoolFile = join(dir, 'spool.db');
  const spool = openSpoolFile(spoolFile);
  prefill(spool);
  const logs: Harness['logs'] = [];
  const log = (level: string) => (_obj: unknown, msg: string) => void logs.push({ level, msg });
  const logger = { info: log('info'), warn: log('warn'), error: log('error') } as unknown as Parameters<typeof createSpoolingStore>[2]['logger'];
  const store = createSpoolingStore(database, spool, { logger, minBackoffMs: 10, maxBackoffMs: 40, replayBatch: 3 });
  const replayed: Harness['replayed'] = [];
  store.spool.onReplayed((records, results) => replayed.push({ records, results }));
  return {
    store, spool, spoolFile, file, attempts, logs, replayed,
    fail: (error) => void (failure = error),
    poison: (sid, error = new Error('new row violates check constraint')) => void (poisoned = sid === null ? null : { sid, error: Object.assign(error, { code: (error as { code?: string }).code ?? '23514' }) }),
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function drained(h: Harness): Promise<void> {
  const started = Date.now();
  while (h.store.spool.pending > 0) {
    if (Date.now() - started > DRAIN_LIMIT_MS) throw new Error(`spool still holds ${h.store.spool.pending} records`);
    await sleep(5);
  }
}

/** Waits until the database has seen `n` commit attempts (the replayer retrying), within the safety bound. */
async function attempted(h: Harness, n: number): Promise<void> {
  for (const started = Date.now(); h.attempts.length < n && Date.now() - started < DRAIN_LIMIT_MS;) await sleep(5);
}

describe('the spooling store', () => {
  it('when a user is erased while their callbacks wait in the spool, then the spooled copies lose them too and reach the database erased', async () => {
    const h = open();
    try {
      h.fail(refused());
      const mine = validCallbackValues({ from_service_id: 'svc', from_user_id: 'gina', srcip: '198.51.100.61', app_svr_data: 'gina-ctx' });
      const other = validCallbackValues({ from_user_id: 'hank' });
      assert.deepEqual(await h.store.recordCallbacks([deliveryOf(mine), deliveryOf(other)]), ['spooled', 'spooled']);
      const receipt = await h.store.eraseUser({ target: { serviceId: 'svc', userId: 'gina' }, actor: 'api', now: 1 });
      assert.deepEqual(receipt.touched, { calls: 0, call_conflicts: 0, notifies: 0, callback_conflicts: 0, group_call_events: 0, quarantine: 0, relay_outbox: 0, raw_requests: 0, spool: 1 });
      h.fail(null);
      await drained(h);
      const call = await h.store.getCall(mine.sid ?? '');
      assert.match(call?.from_user_id ?? '', /^erased-/);
      assert.deepEqual([call?.srcip, call?.app_svr_data], ['', null]);
      assert.equal((await h.store.getCall(other.sid ?? ''))?.from_user_id, 'hank');
      const raw = JSON.stringify(readRawRequests(h.file));
      for (const trace of ['gina', '198.51.100.61']) assert.equal(raw.includes(trace), false, trace);
    } finally {
      await h.cleanup();
    }
  });

  it('when the database is up and the spool empty, then commits go straight to it and the spool stays empty', async () => {
    const h = open();
    try {
      const record = deliveryOf(validCallbackValues());
      assert.deepEqual(await h.store.recordCallbacks([record, record]), ['accepted', 'duplicate']);
      assert.equal(h.spool.size, 0);
      assert.deepEqual(h.attempts, [2]);
    } finally {
      await h.cleanup();
    }
  });

  it('when the database is unavailable, then the batch is spooled and answered spooled; once it is back, each delivery is recorded as if it had arrived then', async () => {
    const h = open();
    try {
      h.fail(refused());
      const first = deliveryOf(validCallbackValues());
      const conflicting = deliveryOf(validCallbackValues({ sid: first.kind === 'event' ? first.event.sid : '', duration: '7' }));
      const bad = malformedRecord(rawRequest('sid=x'), [{ field: 'sid', problem: 'is not a UUID' }]);
      const others = Array.from({ length: 7 }, () => deliveryOf(validCallbackValues()));
      assert.deepEqual(await h.store.recordCallbacks([first, first, bad]), ['spooled', 'spooled', 'spooled']);
      assert.deepEqual(await h.store.recordCallbacks([conflicting, ...others]), Array(8).fill('spooled'));
      assert.equal(h.store.spool.pending, 11);
      assert.equal(countRows(h.file, 'raw_requests'), 0);
      assert.ok(h.logs.some((l) => l.level === 'warn' && /callbacks go to the local spool/.test(l.msg)));
      await sleep(100); // the replayer backs off while the database stays down
      assert.equal(h.store.spool.pending, 11);

      h.fail(null);
      await drained(h);
      const results = h.replayed.flatMap((r) => r.results);
      assert.deepEqual(results, ['accepted', 'duplicate', 'quarantined', 'conflict', ...Array(7).fill('accepted')]);
      const rows = readRawRequests(h.file);
      assert.deepEqual(rows.map((r) => r.result), results, 'raw requests keep arrival order');
      assert.equal(countRows(h.file, 'calls'), 8);
      assert.equal(countRows(h.file, 'quarantine'), 1);
      assert.ok(h.replayed.every((r) => r.records.length <= 3), 'replayed in batches of replayBatch');
      // The replayer logs the switch back on its next turn, after the last removal that drained() saw.
      const back = () => h.logs.some((l) => l.level === 'info' && /callbacks go straight to the database again/.test(l.msg));
      for (let waited = 0; !back() && waited < DRAIN_LIMIT_MS; waited += 5) await sleep(5);
      assert.ok(back(), 'no log that callbacks go straight to the database again');
    } finally {
      await h.cleanup();
    }
  });

  it('when the database is unavailable, then Notify and Agent Call Status are spooled too and replayed as accepted, duplicate and conflict', async () => {
    const h = open();
    try {
      h.fail(refused());
      const notify = validNotifyValues();
      const status = validAgentCallStatusValues();
      const batch = [
        keyedDeliveryOf('notify', notify),
        keyedDeliveryOf('notify', notify),
        keyedDeliveryOf('agent-call-status', status),
        keyedDeliveryOf('agent-call-status', { ...status, result: 'FAIL', fail_reason: 'NO_SOURCE' }),
      ];
      assert.deepEqual(await h.store.recordCallbacks(batch), Array(4).fill('spooled'));
      h.fail(null);
      await drained(h);
      assert.deepEqual(h.replayed.flatMap((r) => r.results), ['accepted', 'duplicate', 'accepted', 'conflict']);
      const life = await h.store.getCallLife(notify.sid ?? '');
      assert.equal(life?.notify?.param, notify.param);
      assert.equal((await h.store.getCallLife(status.sid ?? ''))?.agentCallStatus?.conflicts, 1);
    } finally {
      await h.cleanup();
    }
  });

  it('when the spool holds records, then a new batch joins it behind them even though the database is up (no overtaking a sid)', async () => {
    const older = deliveryOf(validCallbackValues({ duration: '11' }));
    const h = open((spool) => spool.append([older]));
    try {
      const sid = older.kind === 'event' ? older.event.sid : '';
      const newer = deliveryOf(validCallbackValues({ sid, duration: '22' }));
      assert.deepEqual(await h.store.recordCallbacks([newer]), ['spooled']);
      await drained(h);
      assert.equal((await h.store.getCall(sid))?.duration, 11, 'the older version is the call');
      assert.deepEqual(h.replayed.flatMap((r) => r.results), ['accepted', 'conflict']);
      assert.deepEqual(await h.store.recordCallbacks([deliveryOf(validCallbackValues())]), ['accepted'], 'straight to the database once empty');
    } finally {
      await h.cleanup();
    }
  });

  it('when the database refuses a batch for another reason (a bad value), then the error is thrown and nothing is spooled', async () => {
    const h = open();
    try {
      h.fail(Object.assign(new Error('value out of range'), { code: '22003' }));
      await assert.rejects(h.store.recordCallbacks([deliveryOf(validCallbackValues())]), /value out of range/);
      assert.equal(h.spool.size, 0);
    } finally {
      await h.cleanup();
    }
  });

  it('when the database refuses one spooled record but takes the others, then that record is held and the rest are replayed in order', async () => {
    const records = Array.from({ length: 7 }, () => deliveryOf(validCallbackValues()));
    const sids = records.map((r) => (r.kind === 'event' ? r.event.sid : ''));
    const h = open((spool) => spool.append(records));
    h.poison(sids[1] ?? '');
    try {
      await drained(h);
      assert.equal(h.store.spool.held, 1);
      assert.deepEqual(readRawRequests(h.file).map((r) => r.sid), sids.filter((_, i) => i !== 1), 'the others, in arrival order');
      assert.equal(await h.store.getCall(sids[1] ?? ''), null);
      assert.ok(h.logs.some((l) => l.level === 'error' && /is held in the spool file/.test(l.msg)));
      // Later deliveries go straight to the database: the held record no longer blocks anything.
      assert.deepEqual(await h.store.recordCallbacks([deliveryOf(validCallbackValues())]), ['accepted']);
    } finally {
      await h.cleanup();
    }
  });

  it('when the database refuses every spooled record (not for availability), then none is held and they wait in line', async () => {
    const records = Array.from({ length: 4 }, () => deliveryOf(validCallbackValues()));
    const h = open((spool) => spool.append(records));
    h.fail(Object.assign(new Error('relation "calls" does not exist'), { code: '42P01' }));
    try {
      await attempted(h, 10);
      assert.equal(h.store.spool.held, 0);
      assert.equal(h.store.spool.pending, 4);
      assert.ok(h.logs.some((l) => l.level === 'error' && /refused every spooled callback/.test(l.msg)));
      h.fail(null);
      await drained(h);
      assert.equal(countRows(h.file, 'calls'), 4);
      assert.equal(h.store.spool.held, 0);
    } finally {
      await h.cleanup();
    }
  });

  it('when one record meets a deadlock (worth retrying), then it is not held and is replayed once the deadlock is gone', async () => {
    const records = Array.from({ length: 5 }, () => deliveryOf(validCallbackValues()));
    const sids = records.map((r) => (r.kind === 'event' ? r.event.sid : ''));
    const h = open((spool) => spool.append(records));
    h.poison(sids[2] ?? '', Object.assign(new Error('deadlock detected'), { code: '40P01' }));
    try {
      await attempted(h, 8);
      assert.equal(h.store.spool.held, 0);
      h.poison(null);
      await drained(h);
      assert.deepEqual(readRawRequests(h.file).map((r) => r.sid), sids);
    } finally {
      await h.cleanup();
    }
  });

  it('when the store is closed while the database is down, then the replayer stops and the records stay in the spool', async () => {
    const waiting = deliveryOf(validCallbackValues());
    const h = open((spool) => spool.append([waiting]));
    h.fail(refused());
    try {
      await sleep(50);
      await h.store.close();
      const attemptsAtClose = h.attempts.length;
      assert.ok(attemptsAtClose >= 1, 'the replayer tried');
      await sleep(100);
      assert.equal(h.attempts.length, attemptsAtClose, 'no attempt after close');
      await assert.rejects(h.store.recordCallbacks([deliveryOf(validCallbackValues())]));
      const reopened = openSpoolFile(h.spoolFile);
      try {
        assert.deepEqual(reopened.readOldest(10).map((r) => r.record), [waiting]);
      } finally {
        reopened.close();
      }
    } finally {
      await h.cleanup();
    }
  });
});

describe('isDatabaseUnavailable', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it('when the error is a refused, reset or timed-out connection, a server shutting down, or one wrapped in another, then true', () => {
    for (const error of [
      withCode('ECONNREFUSED'), withCode('ECONNRESET'), withCode('ETIMEDOUT'), withCode('EPIPE'), withCode('ENOTFOUND'),
      withCode('08006'), withCode('08001'), withCode('57P01'), withCode('57P03'), withCode('53300'), withCode('57014'),
      new Error('Connection terminated unexpectedly'), new Error('Connection terminated due to connection timeout'),
      new Error('timeout exceeded when trying to connect'), new Error('Query read timeout'),
      new Error('Client has encountered a connection error and is not queryable'),
      new Error('outer', { cause: withCode('ECONNREFUSED') }),
      Object.assign(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]), { code: 'ECONNREFUSED' }),
      new AggregateError([withCode('EHOSTUNREACH')]),
    ]) {
      assert.equal(isDatabaseUnavailable(error), true, `${(error as { code?: string }).code ?? ''} ${error.message}`);
    }
  });

  it('when the error is about the data or the query, or not an error at all, then false', () => {
    for (const error of [
      withCode('23505', 'duplicate key'), withCode('22003'), withCode('42P01'), withCode('40001'), withCode('40P01'),
      withCode('23505', 'Connection terminated'), new Error('Cannot use a pool after calling end on the pool'),
      new TypeError('x is undefined'), null, undefined, 'ECONNREFUSED', 42,
    ]) {
      assert.equal(isDatabaseUnavailable(error), false, String(error));
    }
  });
});
