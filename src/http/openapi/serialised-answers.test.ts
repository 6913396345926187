import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { createTestApp } from '../../../test/fixtures/test-app.js';
import { callToJson } from '../../domain/call-log/call-to-json.js';

/** Answers are serialised with the routes' response schemas: nothing a client reads may be dropped or retyped. */
describe('answers serialised with the response schemas', () => {
  it('when a call with unknown keys and absent optional fields is read, then the answer is exactly its JSON form, extra keys and nulls included', async () => {
    const t = await createTestApp();
    try {
      const values: Record<string, string> = { ...validCallbackValues(), x_region: 'jp-east', x_build: '42' };
      delete values.billing_sec;
      const sid = values.sid ?? '';
      assert.equal((await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(values)}` })).statusCode, 200);
      const stored = await t.store.getCall(sid);
      assert.ok(stored);
      const expected = JSON.parse(JSON.stringify(callToJson(stored)));
      assert.deepEqual(expected.extra, { x_region: 'jp-east', x_build: '42' });
      assert.equal(expected.billing_sec, null);
      const one = await t.app.inject({ url: `/api/calls/${sid}` });
      assert.deepEqual(one.json(), expected);
      const page = await t.app.inject({ url: '/api/calls' });
      assert.deepEqual(page.json(), { items: [expected], next_cursor: null });
    } finally {
      await t.cleanup();
    }
  });
});
