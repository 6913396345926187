import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validAgentCallStatusValues, validNotifyValues } from '../../test/fixtures/callback-fixture.js';
import { AGENT_CALL_STATUS_FIELDS } from './agent-call-status.js';
import { MAX_PARAM_BYTES, NOTIFY_FIELDS } from './notify.js';
import { canonicalizeFacts, parseAgentCallStatus, parseNotify } from './parse-keyed-callback.js';

const mapOf = (values: Record<string, string>) => new Map(Object.entries(values));

describe('parseNotify (docs/spec/callbacks.md §3)', () => {
  it('when every field is valid, then the Notify is typed, the sid lower-cased and unknown keys kept', () => {
    const values = validNotifyValues({ sid: '6364E8B3-BDAC-436E-9631-0BCE2498CE0C', stid: undefined, new_key: 'v' });
    const parsed = parseNotify(mapOf(values));
    assert.ok(parsed.ok);
    assert.equal(parsed.value.sid, '6364e8b3-bdac-436e-9631-0bce2498ce0c');
    assert.equal(parsed.value.param, values.param);
    assert.equal(parsed.value.stid, null);
    assert.deepEqual(parsed.value.extra, { new_key: 'v' });
  });

  it('when a param holds a space (an unencoded + in the query), then it is kept as received, not refused', () => {
    const parsed = parseNotify(mapOf(validNotifyValues({ param: 'ab cd=' })));
    assert.ok(parsed.ok);
    assert.equal(parsed.value.param, 'ab cd=');
  });

  it('when several fields are bad, then each is named once, in spec order', () => {
    const parsed = parseNotify(mapOf(validNotifyValues({ sid: 'x', to_user_id: undefined, type: 'a', param: 'p'.repeat(MAX_PARAM_BYTES + 1) })));
    assert.ok(!parsed.ok);
    assert.deepEqual(parsed.problems.map((p) => p.field), ['sid', 'to_user_id', 'type', 'param']);
  });

  it('when the same facts arrive in another key order, then the canonical text is the same', () => {
    const values = validNotifyValues({ z: '1', a: '2' });
    const reversed = new Map([...mapOf(values)].reverse());
    const a = parseNotify(mapOf(values));
    const b = parseNotify(reversed);
    assert.ok(a.ok && b.ok);
    assert.equal(canonicalizeFacts(a.value, NOTIFY_FIELDS), canonicalizeFacts(b.value, NOTIFY_FIELDS));
  });
});

describe('parseAgentCallStatus (docs/spec/callbacks.md §4)', () => {
  for (const [sent, stored] of [['Success', 'SUCCESS'], ['SUCCESS', 'SUCCESS'], ['success', 'SUCCESS'], ['Fail', 'FAIL'], ['FAIL', 'FAIL']]) {
    it(`when result is ${sent}, then it is stored as ${stored}`, () => {
      const parsed = parseAgentCallStatus(mapOf(validAgentCallStatusValues({ result: sent })));
      assert.ok(parsed.ok);
      assert.equal(parsed.value.result, stored);
    });
  }

  it('when fail_reason is the literal None, then it is null; a real reason is kept', () => {
    const none = parseAgentCallStatus(mapOf(validAgentCallStatusValues()));
    const real = parseAgentCallStatus(mapOf(validAgentCallStatusValues({ result: 'FAIL', fail_reason: 'SOURCE_NOT_FOUND' })));
    assert.ok(none.ok && real.ok);
    assert.equal(none.value.fail_reason, null);
    assert.equal(real.value.fail_reason, 'SOURCE_NOT_FOUND');
  });

  it('when result is neither SUCCESS nor FAIL and agent_type is missing, then both are named', () => {
    const parsed = parseAgentCallStatus(mapOf(validAgentCallStatusValues({ result: 'DONE', agent_type: undefined })));
    assert.ok(!parsed.ok);
    assert.deepEqual(parsed.problems.map((p) => p.field).sort(), ['agent_type', 'result']);
  });

  it('when a result differs only in case, then the canonical text is the same (a duplicate, not a conflict)', () => {
    const a = parseAgentCallStatus(mapOf(validAgentCallStatusValues({ sid: '6364e8b3-bdac-436e-9631-0bce2498ce0c', result: 'Success' })));
    const b = parseAgentCallStatus(mapOf(validAgentCallStatusValues({ sid: '6364e8b3-bdac-436e-9631-0bce2498ce0c', result: 'SUCCESS' })));
    assert.ok(a.ok && b.ok);
    assert.equal(canonicalizeFacts(a.value, AGENT_CALL_STATUS_FIELDS), canonicalizeFacts(b.value, AGENT_CALL_STATUS_FIELDS));
  });
});
