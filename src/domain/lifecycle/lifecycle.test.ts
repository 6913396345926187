import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lifecycleOf } from './call-lifecycle.js';
import { diagnosePushError } from './push-diagnosis.js';
import { buildTimeline } from './timeline.js';

const HOUR = 3_600_000;

describe('lifecycleOf', () => {
  const cases = [
    { seen: { notifiedAt: 0, endedAt: null, setupTime: null }, now: HOUR, state: 'in_progress' },
    { seen: { notifiedAt: 0, endedAt: null, setupTime: null }, now: 2 * HOUR, state: 'in_progress' },
    { seen: { notifiedAt: 0, endedAt: null, setupTime: null }, now: 2 * HOUR + 1, state: 'end_missing' },
    { seen: { notifiedAt: 0, endedAt: 3 * HOUR, setupTime: 0 }, now: 4 * HOUR, state: 'ended' },
    { seen: { notifiedAt: null, endedAt: 5, setupTime: 0 }, now: 4 * HOUR, state: 'ended' },
    { seen: { notifiedAt: null, endedAt: null, setupTime: null }, now: 4 * HOUR, state: 'unknown' },
  ] as const;
  for (const c of cases) {
    it(`when notified at ${c.seen.notifiedAt}, ended at ${c.seen.endedAt}, now ${c.now}, then ${c.state}`, () => {
      assert.equal(lifecycleOf(c.seen, { now: c.now, deadlineMs: 2 * HOUR }).state, c.state);
    });
  }

  it('when both the setup time and the Notify are known, then the setup-to-notify time is given in seconds', () => {
    assert.equal(lifecycleOf({ notifiedAt: 1_700_000_002_400, endedAt: null, setupTime: 1_700_000_000 }, { now: 0, deadlineMs: HOUR }).setup_to_notify_sec, 2);
  });
});

describe('diagnosePushError (docs/spec/callbacks.md §5)', () => {
  const push = { disconnect_reason: 1302, call_end_reason: null };
  it('when the call did not end with PUSH_ERROR, then there is no diagnosis', () => {
    assert.equal(diagnosePushError({ disconnect_reason: 1001, call_end_reason: null, notifyReceived: false, relayOutcomes: [] }), null);
  });
  it('when no Notify was received, then LINE Planet could not reach you', () => {
    assert.equal(diagnosePushError({ ...push, notifyReceived: false, relayOutcomes: [] })?.verdict, 'notify_not_received');
  });
  it('when the legacy 1020 ends it and the last relay timed out, then the push handler is blamed', () => {
    assert.equal(diagnosePushError({ disconnect_reason: null, call_end_reason: 1020, notifyReceived: true, relayOutcomes: ['ok', 'timeout'] })?.verdict, 'push_handler');
  });
  it('when the Notify was received and relayed fine, then it is something else', () => {
    assert.equal(diagnosePushError({ ...push, notifyReceived: true, relayOutcomes: ['ok'] })?.verdict, 'other');
  });
});

describe('buildTimeline', () => {
  it('when a relay happens in the same millisecond as its Notify, then the delivery comes first, and all is in time order', () => {
    const timeline = buildTimeline(
      [{ id: 2, received_at: 50, path: '/callbacks/[secret]/call-event', result: 'accepted' }, { id: 1, received_at: 10, path: '/callbacks/notify', result: 'accepted' }],
      [{ attempted_at: 10, outcome: 'ok', status: 200, latency_ms: 3 }],
    );
    assert.deepEqual(timeline.map((e) => [e.at, e.event, e.callback ?? e.outcome]), [[10, 'delivery', 'notify'], [10, 'notify_relay', 'ok'], [50, 'delivery', 'call-event']]);
  });
});
