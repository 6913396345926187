import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validCallEvent } from '../../../test/fixtures/callback-fixture.js';
import { classifyCall } from './classify-call.js';

const notConnected = { start_time: 0, end_time: 1_700_000_030, duration: 0, billing_sec: 0 };

describe('classifyCall: the spec example table (outcomes-and-kpis.md §1)', () => {
  const rows = [
    { input: { duration: 120, terminate: 16, disconnect_reason: 1001, releaser_type: 2 }, outcome: 'completed', ended_by: 'caller' },
    { input: { duration: 45, terminate: 16, disconnect_reason: 1301, releaser_type: 4 }, outcome: 'dropped', ended_by: 'server' },
    { input: { ...notConnected, terminate: 17, disconnect_reason: 1202, releaser_type: 1 }, outcome: 'busy', ended_by: 'callee' },
    { input: { ...notConnected, terminate: 21, disconnect_reason: 1002, releaser_type: 1 }, outcome: 'rejected', ended_by: 'callee' },
    { input: { ...notConnected, terminate: 77, disconnect_reason: 1201, releaser_type: 2 }, outcome: 'canceled', ended_by: 'caller' },
    { input: { ...notConnected, terminate: 127, disconnect_reason: 1302, releaser_type: 4 }, outcome: 'failed', ended_by: 'server' },
    {
      input: { ...notConnected, terminate: 17, disconnect_reason: null, releaser_type: null, call_end_reason: 1001, releaser: 'responder' },
      outcome: 'busy',
      ended_by: 'callee',
    },
    {
      input: { duration: 300, terminate: 16, disconnect_reason: null, releaser_type: null, call_end_reason: 1004, releaser: 'initiator' },
      outcome: 'completed',
      ended_by: 'caller',
    },
  ] as const;
  for (const row of rows) {
    it(`when ${JSON.stringify(row.input)}, then the outcome is ${row.outcome} and ended_by is ${row.ended_by}`, () => {
      const status = classifyCall(validCallEvent(row.input));
      assert.equal(status.outcome, row.outcome);
      assert.equal(status.ended_by, row.ended_by);
    });
  }
});

describe('classifyCall: the seed example', () => {
  it('when terminate=16 with duration=0 and call_end_reason=1005, then it is flagged, not refused', () => {
    const status = classifyCall(
      validCallEvent({ ...notConnected, billing_sec: null, terminate: 16, disconnect_reason: null, releaser_type: null, call_end_reason: 1005, releaser: 'responder' }),
    );
    assert.equal(status.reason_source, 'call_end_reason');
    assert.equal(status.reason, 'CALLEE_END');
    assert.equal(status.ended_by, 'callee');
    assert.ok(status.inconsistencies.some((i) => i.code === 'terminate_normal_without_duration'));
  });
});

describe('classifyCall: code tables are never confused', () => {
  it('when disconnect_reason=1001 (NORMAL), then the call is completed, not busy', () => {
    assert.equal(classifyCall(validCallEvent({ disconnect_reason: 1001 })).outcome, 'completed');
  });
  it('when legacy call_end_reason=1001 (CALLEE_BUSY) decides, then the call is busy', () => {
    const status = classifyCall(validCallEvent({ ...notConnected, terminate: 17, disconnect_reason: null, call_end_reason: 1001 }));
    assert.equal(status.outcome, 'busy');
    assert.equal(status.reason, 'CALLEE_BUSY');
  });
  it('when the decisive code is unknown, then the reason says "unknown (N)" and errors map by connection', () => {
    const connected = classifyCall(validCallEvent({ disconnect_reason: 1399 }));
    assert.equal(connected.reason, 'unknown (1399)');
    assert.equal(connected.outcome, 'dropped');
    const failed = classifyCall(validCallEvent({ ...notConnected, disconnect_reason: 1399, terminate: 127 }));
    assert.equal(failed.outcome, 'failed');
  });
});
