import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validCallEvent } from '../../test/fixtures/callback-fixture.js';
import { CALL_FIELDS, type CallEvent, type CallFieldSpec } from './call-event.js';
import { canonicalizeEvent } from './canonical-event.js';
import { decodeCanonicalEvent } from './deliveries/decode-canonical-event.js';

/** The fields as a later version could have them: one optional field added by migration 99. */
const WITH_LATER_FIELD: readonly CallFieldSpec[] = [
  ...CALL_FIELDS,
  { name: 'room_tag', kind: 'text', required: false, column: 'text', maxBytes: 64, lineBreaks: false, addedIn: 99 },
];

describe('canonical form and fields added after the first release', () => {
  it('when a field added later is null or missing, then the canonical form is the one written before it existed', () => {
    const event = validCallEvent();
    const before = canonicalizeEvent(event);
    assert.equal(canonicalizeEvent(event, WITH_LATER_FIELD), before);
    assert.equal(canonicalizeEvent({ ...event, room_tag: null } as CallEvent, WITH_LATER_FIELD), before);
  });

  it('when a field added later has a value, then the canonical form holds it and differs', () => {
    const event = { ...validCallEvent(), room_tag: 'blue' } as CallEvent;
    const text = canonicalizeEvent(event, WITH_LATER_FIELD);
    assert.notEqual(text, canonicalizeEvent(event));
    assert.deepEqual((JSON.parse(text) as { known: unknown[][] }).known.at(-1), ['room_tag', 'blue']);
  });

  it('when a canonical form is read back, then every field of CALL_FIELDS is there in order, the ones it lacks as null', () => {
    const event = validCallEvent({ stid: 'voip.next' });
    const decoded = decodeCanonicalEvent(canonicalizeEvent(event));
    assert.deepEqual(Object.keys(decoded), [...CALL_FIELDS.map((f) => f.name), 'extra']);
    assert.deepEqual(decoded, event);
    const lacking = JSON.stringify({ known: [['sid', event.sid]], extra: [] });
    assert.equal(decodeCanonicalEvent(lacking).user_rel_code, null);
  });
});
