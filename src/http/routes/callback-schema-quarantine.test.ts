import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { countRows } from '../../../test/fixtures/raw-requests.js';
import { createTestApp, type TestApp } from '../../../test/fixtures/test-app.js';

type CallEventSchema = { required: string[]; properties: Record<string, { type?: unknown; enum?: unknown[] }> };

/** The callback routes carry schemas for the document; a callback those schemas refuse must still reach quarantine. */
describe('a callback the documented schema refuses', () => {
  let t: TestApp;
  let callEvent: CallEventSchema;
  beforeEach(async () => {
    t = await createTestApp();
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json() as { components: { schemas: { CallEvent: CallEventSchema } } };
    callEvent = doc.components.schemas.CallEvent;
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('when a GET lacks a field the document requires, then answers 400 invalid_callback naming it and quarantines it', async () => {
    assert.ok(callEvent.required.includes('setup_time'), 'the document requires setup_time');
    const { setup_time: _, ...values } = validCallbackValues();
    const res = await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(values)}` });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'invalid_callback');
    assert.ok(res.json().error.details.some((d: { field: string }) => d.field === 'setup_time'), res.body);
    assert.equal(countRows(t.file, 'quarantine'), 1);
  });

  it('when a JSON body breaks the documented types, then answers 400 invalid_callback naming each field and quarantines it', async () => {
    assert.deepEqual(callEvent.properties.type?.enum, ['A', 'V'], 'the document allows only A and V');
    assert.equal(callEvent.properties.duration?.type, 'integer', 'the document types duration as an integer');
    const payload = JSON.stringify({ ...validCallbackValues(), type: 'X', duration: 'long' });
    const res = await t.app.inject({ method: 'POST', url: '/callbacks/call-event', headers: { 'content-type': 'application/json' }, payload });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'invalid_callback');
    assert.deepEqual(res.json().error.details.map((d: { field: string }) => d.field).sort(), ['duration', 'type']);
    assert.equal(countRows(t.file, 'quarantine'), 1);
    const [entry] = (await t.app.inject({ url: '/api/quarantine' })).json().items;
    assert.equal(entry.body, payload);
  });
});
