import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import { validAgentCallStatusValues, validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { type ReceivedRequest, startRelayTarget } from '../../test/fixtures/relay-target.js';
import { createTestApp, type TestApp } from '../../test/fixtures/test-app.js';
import { NO_AGENT_CALL_STATUS_URL, sendRelayRequest } from './send-relay-request.js';

/** A Standard Webhooks secret: whsec_ and the base64 of the key. */
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const TOKEN = 'relay-test-token-0123456789';

/**
 * The receiving side of the Standard Webhooks check, written from the specification (not
 * from callevt's signer): HMAC-SHA256 keyed with the base64 after whsec_, over
 * "<webhook-id>.<webhook-timestamp>.<content>", compared in constant time with each v1 entry.
 */
function verifiesStandardWebhook(request: ReceivedRequest, content: string, secret: string): boolean {
  const id = String(request.headers['webhook-id']);
  const timestamp = String(request.headers['webhook-timestamp']);
  const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(`${id}.${timestamp}.${content}`).digest();
  return String(request.headers['webhook-signature']).split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const relayStatus = async (t: TestApp) => (await t.app.inject({ url: '/api/relay/status', headers: { authorization: `Bearer ${TOKEN}` } })).json();

describe('Call Event relay over HTTP', () => {
  it('when a GET callback is accepted, then the app gets the same method and query at the relay URL, with webhook headers and a signature an independent check verifies', async () => {
    const target = await startRelayTarget();
    const t = await createTestApp({ CALL_EVENT_RELAY_URL: `${target.url}/planet/callback`, RELAY_SIGNING_SECRET: SECRET, API_TOKEN: TOKEN });
    try {
      const query = new URLSearchParams(validCallbackValues({ app_svr_data: 'a b&c=d' })).toString();
      const answer = await t.app.inject({ url: `/callbacks/call-event?${query}`, remoteAddress: '203.0.113.9' });
      assert.equal(answer.json().result, 'accepted');
      const [got] = await target.waitFor(1);
      assert.ok(got);
      assert.equal(got.method, 'GET');
      assert.equal(got.url, `/planet/callback?${query}`);
      assert.equal(got.body, '');
      assert.match(String(got.headers['webhook-id']), /^[0-9a-f-]{36}$/);
      const timestamp = Number(got.headers['webhook-timestamp']);
      assert.ok(Math.abs(timestamp - Date.now() / 1000) < 30, 'webhook-timestamp is the attempt time in Unix seconds');
      assert.equal(got.headers['x-forwarded-for'], '203.0.113.9');
      assert.ok(verifiesStandardWebhook(got, query, SECRET), 'the signature covers the query string of a GET');
      assert.ok(!verifiesStandardWebhook(got, query, `whsec_${randomBytes(24).toString('base64')}`), 'and fails with another secret');
      await until(() => relayStatus(t), (s) => s.delivered === 1 && s.pending === 0 && s.in_flight === 0);
    } finally {
      await t.cleanup();
      await target.close();
    }
  });

  it('when an Agent Call Status is accepted, then it goes to AGENT_CALL_STATUS_RELAY_URL, Call Events to theirs; without that URL it is not relayed', async () => {
    const target = await startRelayTarget();
    const sid = randomUUID();
    const status = new URLSearchParams(validAgentCallStatusValues({ sid })).toString();
    const t = await createTestApp({ CALL_EVENT_RELAY_URL: `${target.url}/call-event`, AGENT_CALL_STATUS_RELAY_URL: `${target.url}/agent-status` });
    try {
      assert.equal((await t.app.inject({ url: `/callbacks/agent-call-status?${status}` })).json().result, 'accepted');
      const call = new URLSearchParams(validCallbackValues({ sid })).toString();
      assert.equal((await t.app.inject({ url: `/callbacks/call-event?${call}` })).json().result, 'accepted');
      const got = await target.waitFor(2);
      assert.deepEqual(got.map((r) => r.url).sort(), [`/agent-status?${status}`, `/call-event?${call}`].sort());
    } finally {
      await t.cleanup();
    }
    const without = await createTestApp({ CALL_EVENT_RELAY_URL: `${target.url}/call-event` });
    try {
      const other = new URLSearchParams(validAgentCallStatusValues({ result: 'FAIL', fail_reason: 'TIMEOUT' })).toString();
      assert.equal((await without.app.inject({ url: `/callbacks/agent-call-status?${other}` })).json().result, 'accepted');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(target.received.length, 2, 'no relay URL for Agent Call Status: nothing sent');
    } finally {
      await without.cleanup();
      await target.close();
    }
  });

  it('when an Agent Call Status waits in the outbox but AGENT_CALL_STATUS_RELAY_URL is gone (a restart without it), then it is held, never sent to the Call Event handler', async () => {
    const target = await startRelayTarget();
    try {
      const query = new URLSearchParams(validAgentCallStatusValues()).toString();
      const item = { id: 1, deliveryId: randomUUID(), kind: 'agent-call-status' as const, sid: 'x', receivedAt: Date.now(), method: 'GET', query, body: null, contentType: null, sourceIp: '203.0.113.9', attempts: 1, lastError: null };
      const settings = { url: `${target.url}/call-event`, agentCallStatusUrl: null, timeoutMs: 1_000, signingSecret: null };
      assert.deepEqual(await sendRelayRequest(item, settings, Date.now()), { ok: false, error: NO_AGENT_CALL_STATUS_URL });
      const withUrl = await sendRelayRequest(item, { ...settings, agentCallStatusUrl: `${target.url}/agent-status` }, Date.now());
      assert.deepEqual(withUrl, { ok: true, status: 200 });
      assert.deepEqual(target.received.map((r) => r.url), [`/agent-status?${query}`], 'only the attempt with its own URL reached the app');
    } finally {
      await target.close();
    }
  });

  it('when a form POST is accepted, then its body and content type pass unchanged and the signature covers the body; a duplicate is relayed with its own id, a quarantined one is not', async () => {
    const target = await startRelayTarget();
    const t = await createTestApp({ CALL_EVENT_RELAY_URL: `${target.url}/cb`, RELAY_SIGNING_SECRET: SECRET });
    try {
      const body = new URLSearchParams(validCallbackValues()).toString();
      const post = () => t.app.inject({ method: 'POST', url: '/callbacks/call-event', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body });
      assert.equal((await post()).json().result, 'accepted');
      assert.equal((await post()).json().result, 'duplicate');
      assert.equal((await t.app.inject({ url: '/callbacks/call-event?sid=nope' })).statusCode, 400);
      const got = await target.waitFor(2);
      for (const request of got) {
        assert.deepEqual([request.method, request.url, request.body, request.headers['content-type']], ['POST', '/cb', body, 'application/x-www-form-urlencoded']);
        assert.ok(verifiesStandardWebhook(request, body, SECRET));
      }
      assert.notEqual(got[0]?.headers['webhook-id'], got[1]?.headers['webhook-id']);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(target.received.length, 2, 'the quarantined request is not relayed');
    } finally {
      await t.cleanup();
      await target.close();
    }
  });

  it('when the app keeps failing, then after RELAY_MAX_ATTEMPTS the delivery is a dead letter (API, metrics); a retry through the API delivers it with the same webhook-id', async () => {
    let healthy = false;
    const target = await startRelayTarget(() => (healthy ? 204 : 503));
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }));
    const t = await createTestApp(
      { CALL_EVENT_RELAY_URL: `${target.url}/cb`, RELAY_SIGNING_SECRET: SECRET, RELAY_MAX_ATTEMPTS: '3', RELAY_BACKOFF_BASE_MS: '10', RELAY_BACKOFF_MAX_MS: '20', API_TOKEN: TOKEN },
      { logger, relayPollMs: 10 },
    );
    const auth = { authorization: `Bearer ${TOKEN}` };
    try {
      const values = validCallbackValues();
      await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(values)}` });
      await target.waitFor(3);
      const list = await until(async () => (await t.app.inject({ url: '/api/relay/dead-letters', headers: auth })).json(), (body) => body.items.length === 1);
      const [dead] = list.items;
      assert.deepEqual([dead.sid, dead.attempts, dead.last_error, dead.kind, dead.method], [values.sid, 3, 'HTTP 503', 'call-event', 'GET']);
      assert.equal(dead.delivery_id, target.received[0]?.headers['webhook-id']);
      assert.ok(target.received.every((r) => r.headers['webhook-id'] === dead.delivery_id), 'every attempt carries the same webhook-id');
      const gaps = target.received.slice(1).map((r, i) => r.receivedAt - (target.received[i]?.receivedAt ?? 0));
      assert.ok(gaps.every((gap) => gap >= 9), `attempts wait for the backoff (gaps ${gaps.join(', ')} ms)`);
      const metrics = (await t.app.inject({ url: '/metrics', headers: auth })).body;
      assert.match(metrics, /callevt_relay_deliveries_total\{result="retry"\} 2\n/);
      assert.match(metrics, /callevt_relay_deliveries_total\{result="dead"\} 1\n/);
      assert.match(metrics, /callevt_relay_dead_letters 1\n/);
      assert.match(metrics, /callevt_relay_outbox_pending 0\n/);

      assert.equal((await t.app.inject({ method: 'POST', url: '/api/relay/dead-letters/retry', payload: { ids: [dead.id] } })).statusCode, 401);
      const refused = await t.app.inject({ method: 'POST', url: '/api/relay/dead-letters/retry', headers: auth, payload: { ids: [], all: false } });
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.json().error.code, 'invalid_parameter');
      healthy = true;
      const retried = await t.app.inject({ method: 'POST', url: '/api/relay/dead-letters/retry', headers: auth, payload: { ids: [dead.id] } });
      assert.deepEqual(retried.json(), { retried: 1 });
      const [, , , last] = await target.waitFor(4);
      assert.equal(last?.headers['webhook-id'], dead.delivery_id);
      await until(() => relayStatus(t), (s) => s.delivered === 1 && s.dead === 0);
      assert.ok(lines.some((line) => line.includes('dead-letter list')), 'the give-up is logged');
      assert.ok(!lines.some((line) => line.includes(SECRET) || line.includes(SECRET.slice(6))), 'the signing secret never reaches the log');
    } finally {
      await t.cleanup();
      await target.close();
    }
  });
});
