import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { createTestApp } from '../../../test/fixtures/test-app.js';

const TOKEN = 'erasure-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('POST /api/erasures', () => {
  it('when an erasure is asked with the token, then it answers the receipt, the user is gone and /api/stats/summary is unchanged', async () => {
    const t = await createTestApp({ API_TOKEN: TOKEN });
    try {
      const mine = validCallbackValues({ from_service_id: 'svc', from_user_id: 'dana', srcip: '198.51.100.40' });
      const other = validCallbackValues({ to_user_id: 'eve' });
      for (const values of [mine, other]) {
        const res = await t.app.inject({ method: 'GET', url: `/callbacks/call-event?${new URLSearchParams(values)}` });
        assert.equal(res.statusCode, 200);
      }
      const summary = () => t.app.inject({ method: 'GET', url: '/api/stats/summary', headers: auth }).then((r) => r.json());
      const before = await summary();

      const refused = await t.app.inject({ method: 'POST', url: '/api/erasures', payload: { service_id: 'svc', user_id: 'dana' } });
      assert.equal(refused.statusCode, 401);
      const res = await t.app.inject({ method: 'POST', url: '/api/erasures', headers: auth, payload: { service_id: 'svc', user_id: 'dana' } });
      assert.equal(res.statusCode, 200, res.body);
      const receipt = res.json() as { id: number; erased_at: string; touched: Record<string, number> };
      assert.deepEqual(receipt.touched, { calls: 1, call_conflicts: 0, notifies: 0, callback_conflicts: 0, group_call_events: 0, quarantine: 0, relay_outbox: 0, raw_requests: 1 });
      assert.match(receipt.erased_at, /^\d{4}-\d{2}-\d{2}T/);

      const call = await t.app.inject({ method: 'GET', url: `/api/calls/${mine.sid}`, headers: auth }).then((r) => r.json() as { from_user_id: string; srcip: string });
      assert.match(call.from_user_id, /^erased-/);
      assert.equal(call.srcip, '');
      assert.deepEqual(await summary(), before);
    } finally {
      await t.cleanup();
    }
  });

  it('when the body lacks a field or holds a control character, then it answers 400 naming the problem and erases nothing', async () => {
    const t = await createTestApp({ API_TOKEN: TOKEN });
    try {
      const missing = await t.app.inject({ method: 'POST', url: '/api/erasures', headers: auth, payload: { user_id: 'dana' } });
      assert.equal(missing.statusCode, 400);
      assert.deepEqual(missing.json().error.details, [{ field: 'service_id', problem: 'is required and must be a string' }]);
      const control = await t.app.inject({ method: 'POST', url: '/api/erasures', headers: auth, payload: { service_id: 'svc', user_id: 'da\u0001na' } });
      assert.equal(control.statusCode, 400);
      assert.match(control.json().error.message, /control characters/);
    } finally {
      await t.cleanup();
    }
  });
});
