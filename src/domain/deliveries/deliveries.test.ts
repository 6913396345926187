import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validCallEvent } from '../../../test/fixtures/callback-fixture.js';
import { canonicalizeEvent } from '../canonical-event.js';
import { decodeCanonicalEvent } from './decode-canonical-event.js';
import { differingFields, fieldValue } from './differing-fields.js';

describe('decodeCanonicalEvent', () => {
  it('when a canonical text is decoded, then it is the event that made it, nulls and extra keys included', () => {
    const event = validCallEvent({ stid: null, call_end_reason: 1005, extra: { zeta: '1', alpha: 'a"b' } });
    assert.deepEqual(decodeCanonicalEvent(canonicalizeEvent(event)), event);
  });

  it('when the text is JSON but not a canonical event, then it throws', () => {
    assert.throws(() => decodeCanonicalEvent('{"sid":"x"}'), /not a canonical call event/);
  });
});

describe('differingFields', () => {
  it('when two versions are equal, then no field differs', () => {
    const event = validCallEvent();
    assert.deepEqual(differingFields(event, { ...event, extra: { ...event.extra } }), []);
  });

  it('when known fields and extra keys differ, then they are named in spec order, extra keys last and sorted', () => {
    const stored = validCallEvent({ extra: { kept: 'same', gone: 'x' } });
    const other = { ...stored, terminate: 17, duration: 0, billing_sec: null, extra: { kept: 'same', added: 'y' } };
    assert.deepEqual(differingFields(stored, other), ['duration', 'billing_sec', 'terminate', 'added', 'gone']);
    assert.equal(fieldValue(other, 'added'), 'y');
    assert.equal(fieldValue(stored, 'added'), undefined);
    assert.equal(fieldValue(other, 'billing_sec'), null);
  });
});
