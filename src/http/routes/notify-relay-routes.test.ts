import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { validAgentCallStatusValues, validCallbackValues, validNotifyValues } from '../../../test/fixtures/callback-fixture.js';
import { readRawRequests } from '../../../test/fixtures/raw-requests.js';
import { createTestApp, type TestApp, tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { loadConfig } from '../../config/load-config.js';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { createWalSync } from '../../storage/sqlite/wal-sync.js';
import { buildApp } from '../build-app.js';

/** The app's own notify handler, stood in by a real local HTTP server: it answers per the `behave` key it is sent. */
class PushHandler {
  readonly seen: URL[] = [];
  private server: Server = createServer((request: IncomingMessage, response) => {
    const url = new URL(request.url ?? '/', 'http://handler');
    this.seen.push(url);
    const behave = url.searchParams.get('behave');
    if (behave === 'slow') {
      setTimeout(() => response.end('late'), 1500).unref();
      return;
    }
    response.statusCode = behave === 'fail' ? 500 : 204;
    response.end();
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/push/notify?app_key=k1`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Notify relay: LINE Planet gets the push handler\'s verdict', () => {
  const handler = new PushHandler();
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ NOTIFY_RELAY_URL: await handler.start(), NOTIFY_RELAY_TIMEOUT: '150ms' });
  });
  after(async () => {
    await t.cleanup();
    await handler.stop();
  });

  it('when the handler answers 2xx, then the Notify is stored, relayed by GET with cc_param = param, and answered 200', async () => {
    const values = validNotifyValues({ extra_key: 'x y' });
    const res = await t.app.inject({ url: `/callbacks/notify?${new URLSearchParams(values)}` });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { result: string; relay: { outcome: string; status: number } };
    assert.equal(body.result, 'accepted');
    assert.deepEqual([body.relay.outcome, body.relay.status], ['ok', 204]);
    const sent = handler.seen.at(-1);
    assert.equal(sent?.pathname, '/push/notify');
    assert.equal(sent?.searchParams.get('app_key'), 'k1');
    assert.equal(sent?.searchParams.get('cc_param'), values.param);
    assert.equal(sent?.searchParams.get('param'), values.param);
    assert.equal(sent?.searchParams.get('extra_key'), 'x y');
    assert.equal(sent?.searchParams.get('sid'), values.sid);
  });

  it('when the handler answers 500, then LINE Planet gets 502 and the attempt is kept with its status', async () => {
    const values = validNotifyValues({ behave: 'fail' });
    const res = await t.app.inject({ url: `/callbacks/notify?${new URLSearchParams(values)}` });
    assert.equal(res.statusCode, 502, res.body);
    assert.equal((res.json() as { error: { code: string } }).error.code, 'notify_handler_failed');
    const life = await lifeOf(t, values.sid ?? '');
    assert.equal(life.notify.sid, values.sid);
    assert.deepEqual(life.notify_relays.map((r) => [r.outcome, r.status]), [['http_error', 500]]);
  });

  it('when the handler is slower than NOTIFY_RELAY_TIMEOUT, then LINE Planet gets 504 after about the timeout', async () => {
    const values = validNotifyValues({ behave: 'slow' });
    const started = performance.now();
    const res = await t.app.inject({ url: `/callbacks/notify?${new URLSearchParams(values)}` });
    const took = performance.now() - started;
    assert.equal(res.statusCode, 504, res.body);
    assert.equal((res.json() as { error: { code: string } }).error.code, 'notify_handler_timeout');
    assert.ok(took >= 140 && took < 1400, `answered after ${took} ms`);
    const life = await lifeOf(t, values.sid ?? '');
    assert.deepEqual(life.notify_relays.map((r) => [r.outcome, r.status]), [['timeout', null]]);
  });

  it('when the Notify is malformed, then it is quarantined with each bad field named and never relayed', async () => {
    const before = handler.seen.length;
    const res = await t.app.inject({ url: `/callbacks/notify?${new URLSearchParams(validNotifyValues({ type: 'Z', param: '' }))}` });
    assert.equal(res.statusCode, 400);
    const body = res.json() as { error: { code: string; details: Array<{ field: string }> } };
    assert.equal(body.error.code, 'invalid_callback');
    assert.deepEqual(body.error.details.map((d) => d.field), ['type', 'param']);
    assert.equal(handler.seen.length, before);
    assert.equal(readRawRequests(t.file).at(-1)?.result, 'quarantined');
  });

  it('when relays succeeded, failed and timed out, then callevt_notify_relay_total counts each outcome', async () => {
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    assert.match(metrics, /^callevt_notify_relay_total\{outcome="ok"\} [1-9]/m);
    assert.match(metrics, /^callevt_notify_relay_total\{outcome="http_error"\} [1-9]/m);
    assert.match(metrics, /^callevt_notify_relay_total\{outcome="timeout"\} [1-9]/m);
    assert.match(metrics, /^callevt_notify_relay_total\{outcome="unreachable"\} 0$/m);
  });

  it('when the call later ends with PUSH_ERROR after a refused relay, then the diagnosis blames the push handler', async () => {
    const values = validNotifyValues({ behave: 'fail' });
    await t.app.inject({ url: `/callbacks/notify?${new URLSearchParams(values)}` });
    const end = validCallbackValues({ sid: values.sid, start_time: '0', duration: '0', billing_sec: '0', terminate: '127', disconnect_reason: '1302' });
    assert.equal((await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(end)}` })).statusCode, 200);
    const life = await lifeOf(t, values.sid ?? '');
    assert.equal(life.lifecycle.state, 'ended');
    assert.equal(life.push_diagnosis?.verdict, 'push_handler');
    assert.deepEqual(life.timeline.map((e) => [e.event, e.callback ?? e.outcome]), [
      ['delivery', 'notify'], ['notify_relay', 'http_error'], ['delivery', 'call-event'],
    ]);
  });
});

describe('Notify relay: a handler that cannot be reached', () => {
  it('when nothing listens at NOTIFY_RELAY_URL, then LINE Planet gets 502 and the Notify is still stored', async () => {
    const t = await createTestApp({ NOTIFY_RELAY_URL: `http://127.0.0.1:${await closedPort()}/notify` });
    try {
      const values = validNotifyValues();
      const res = await t.app.inject({ url: `/callbacks/notify?${new URLSearchParams(values)}` });
      assert.equal(res.statusCode, 502, res.body);
      const life = await lifeOf(t, values.sid ?? '');
      assert.deepEqual(life.notify_relays.map((r) => r.outcome), ['unreachable']);
    } finally {
      await t.cleanup();
    }
  });
});

describe('Notify and Agent Call Status without a relay', () => {
  let t: TestApp;
  let clock = 1_760_000_000_000;
  before(async () => {
    t = await createTestApp({ CALL_EVENT_DEADLINE: '1h' }, { now: () => clock });
  });
  after(async () => {
    await t.cleanup();
  });

  it('when a Notify arrives by GET and its repeat by POST, then it is answered 200 accepted then duplicate, and kept raw', async () => {
    const values = validNotifyValues();
    const first = await t.app.inject({ url: `/callbacks/notify?${new URLSearchParams(values)}` });
    assert.deepEqual([first.statusCode, first.json()], [200, { result: 'accepted', sid: values.sid }]);
    const repeat = await t.app.inject({ method: 'POST', url: '/callbacks/notify', payload: values, headers: { 'content-type': 'application/json' } });
    assert.deepEqual([repeat.statusCode, (repeat.json() as { result: string }).result], [200, 'duplicate']);
    const rows = readRawRequests(t.file).filter((r) => r.sid === values.sid);
    assert.deepEqual(rows.map((r) => [r.path, r.method, r.result]), [['/callbacks/notify', 'GET', 'accepted'], ['/callbacks/notify', 'POST', 'duplicate']]);
  });

  it('when an Agent Call Status has a bad result, then it is quarantined naming result', async () => {
    const res = await t.app.inject({ url: `/callbacks/agent-call-status?${new URLSearchParams(validAgentCallStatusValues({ result: 'MAYBE' }))}` });
    assert.equal(res.statusCode, 400);
    assert.deepEqual((res.json() as { error: { details: Array<{ field: string }> } }).error.details.map((d) => d.field), ['result']);
  });

  it('when a notified call passes CALL_EVENT_DEADLINE, then its life says end_missing, the list and the metrics show it, until the end arrives', async () => {
    const values = validNotifyValues();
    await t.app.inject({ url: `/callbacks/notify?${new URLSearchParams(values)}` });
    assert.equal((await lifeOf(t, values.sid ?? '')).lifecycle.state, 'in_progress');
    clock += 3_600_001;
    assert.equal((await lifeOf(t, values.sid ?? '')).lifecycle.state, 'end_missing');
    const list = (await t.app.inject({ url: '/api/lifecycle?state=end_missing' })).json() as { items: Array<{ sid: string }> };
    assert.ok(list.items.some((i) => i.sid === values.sid));
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    assert.match(metrics, /^callevt_calls_end_missing [1-9]/m);
    assert.match(metrics, /^callevt_calls_end_missing_flagged_total [1-9]/m);
    await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(validCallbackValues({ sid: values.sid }))}` });
    assert.equal((await lifeOf(t, values.sid ?? '')).lifecycle.state, 'ended');
    const after = (await t.app.inject({ url: '/api/lifecycle?state=end_missing' })).json() as { items: Array<{ sid: string }> };
    assert.ok(!after.items.some((i) => i.sid === values.sid));
  });

  it('when a call ends with PUSH_ERROR and no Notify was ever received for it, then the diagnosis says LINE Planet could not reach you', async () => {
    const end = validCallbackValues({ start_time: '0', duration: '0', billing_sec: '0', terminate: '127', disconnect_reason: undefined, call_end_reason: '1020' });
    await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(end)}` });
    const life = await lifeOf(t, end.sid ?? '');
    assert.equal(life.notify, null);
    assert.equal(life.push_diagnosis?.verdict, 'notify_not_received');
    assert.equal((await t.app.inject({ url: `/api/calls/${validNotifyValues().sid}/lifecycle` })).statusCode, 404);
  });
});

interface LifeJson {
  notify: { sid: string } | null;
  lifecycle: { state: string };
  notify_relays: Array<{ outcome: string; status: number | null }>;
  timeline: Array<{ event: string; callback?: string; outcome?: string }>;
  push_diagnosis: { verdict: string } | null;
}

async function lifeOf(t: TestApp, sid: string): Promise<LifeJson & { notify: { sid: string } }> {
  // Relay attempts are written after the answer, in their own commit.
  await t.relayCommitter.idle();
  const res = await t.app.inject({ url: `/api/calls/${sid}/lifecycle` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as LifeJson & { notify: { sid: string } };
}

describe('Notify and Agent Call Status behind the callback guard', () => {
  it('when CALLBACK_SECRET and CALLBACK_ALLOW_CIDRS are set, then they guard the new endpoints like the Call Event, and nothing is stored for a refusal', async () => {
    const secret = 'notify-secret-0123456789';
    const t = await createTestApp({ CALLBACK_SECRET: secret, CALLBACK_ALLOW_CIDRS: '203.0.113.0/24' });
    try {
      const notify = new URLSearchParams(validNotifyValues());
      const status = new URLSearchParams(validAgentCallStatusValues());
      const inside = '203.0.113.9';
      assert.equal((await t.app.inject({ url: `/callbacks/notify?${notify}`, remoteAddress: inside })).statusCode, 404);
      assert.equal((await t.app.inject({ url: `/callbacks/${secret}/notify?${notify}`, remoteAddress: '198.51.100.1' })).statusCode, 403);
      assert.equal((await t.app.inject({ url: `/callbacks/${secret}/notify?${notify}`, remoteAddress: inside })).statusCode, 200);
      assert.equal((await t.app.inject({ url: `/callbacks/${secret}/agent-call-status?${status}`, remoteAddress: inside })).statusCode, 200);
      assert.deepEqual(readRawRequests(t.file).map((r) => r.path), ['/callbacks/[secret]/notify', '/callbacks/[secret]/agent-call-status']);
    } finally {
      await t.cleanup();
    }
  });
});

describe('Notify relay and the commit\'s fsync', () => {
  it('when a Notify is written, then it is relayed while its WAL sync is still on the way, and LINE Planet is answered only after that sync', async () => {
    const handler = new PushHandler();
    const db = tempDatabaseFile();
    const flushes: Array<() => void> = [];
    // The disk, held by the test: each flush finishes when the test says so.
    const store = createSqliteStore(db.file, {
      walSync: createWalSync(db.file, { flush: () => new Promise<void>((resolve) => flushes.push(resolve)), close: async () => {} }),
    });
    const config = loadConfig({ DATABASE_URL: db.file, NOTIFY_RELAY_URL: await handler.start() });
    const built = await buildApp({ config, store });
    try {
      let answered = false;
      const answer = built.app.inject({ url: `/callbacks/notify?${new URLSearchParams(validNotifyValues())}` }).then((res) => {
        answered = true;
        return res;
      });
      for (const started = Date.now(); handler.seen.length === 0 && Date.now() - started < 5_000;) await new Promise((r) => setTimeout(r, 5));
      assert.equal(handler.seen.length, 1, 'the Notify was not relayed while its sync was pending');
      assert.equal(flushes.length, 1);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(answered, false, 'LINE Planet was answered before the Notify reached the disk');
      flushes.shift()?.();
      const res = await answer;
      assert.equal(res.statusCode, 200, res.body);
    } finally {
      // Later commits (the relay attempt's) flush at once.
      const release = setInterval(() => {
        for (const flush of flushes.splice(0)) flush();
      }, 5);
      await built.app.close();
      await store.close();
      clearInterval(release);
      await handler.stop();
      db.cleanup();
    }
  });
});
