import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallEvent } from '../domain/call-event.js';
import type { Outcome } from '../domain/classify/call-status.js';
import { expectedFigures } from './expected-figures.js';
import type { TruthCall } from './ground-truth.js';

function call(outcome: Outcome, fields: Partial<CallEvent>): TruthCall {
  const base = { setup_time: 1_000, start_time: 0, end_time: 1_010, duration: 0, billing_sec: 0 };
  return {
    kind: 'call',
    sid: `sid-${Math.random()}`,
    fields: { ...base, ...fields } as CallEvent,
    expected: { outcome, ended_by: 'caller', reason: 'X', reason_source: 'disconnect_reason' },
    shape: 'current',
    late: false,
    acknowledged: true,
    duplicates_sent: 0,
    conflicts_sent: 0,
  };
}

describe('expectedFigures', () => {
  it('when a call that was not answered carries talk times, then it is left out of peak concurrency', () => {
    const f = expectedFigures([
      call('completed', { start_time: 1_005, end_time: 1_125, duration: 120 }),
      call('rejected', { start_time: 1_006, end_time: 1_100 }),
    ]);
    assert.equal(f.peak_concurrency, 1);
    assert.ok(f.peak_concurrency <= f.answered);
  });

  it('when calls of several outcomes are summed, then counts, ratios and sums follow docs/spec/outcomes.md §2', () => {
    const f = expectedFigures([
      call('completed', { start_time: 1_005, end_time: 1_125, duration: 120, billing_sec: 121 }),
      call('completed', { start_time: 1_002, end_time: 1_007, duration: 5, billing_sec: 5 }),
      call('dropped', { start_time: 1_010, end_time: 1_040, duration: 30, billing_sec: null }),
      call('failed', {}),
      call('canceled', {}),
    ]);
    assert.equal(f.attempts, 5);
    assert.equal(f.completed, 2);
    assert.equal(f.dropped, 1);
    assert.equal(f.failed, 1);
    assert.equal(f.canceled, 1);
    assert.equal(f.answered, 3);
    assert.equal(f.asr, 3 / 5);
    assert.equal(f.ner, 4 / 5);
    assert.equal(f.drop_rate, 1 / 3);
    assert.equal(f.acd_sec, 155 / 3);
    assert.equal(f.total_duration_sec, 155);
    assert.equal(f.total_billing_sec, 126);
    assert.equal(f.short_call_ratio, 1 / 3);
    assert.equal(f.duration_p50_sec, 30);
    assert.equal(f.tta_p90_sec, 10);
    assert.equal(f.peak_concurrency, 2);
  });

  it('when no call was answered, then the ratios over answered calls are null, never 0 or NaN', () => {
    const f = expectedFigures([call('busy', {}), call('no_answer', {})]);
    assert.equal(f.asr, 0);
    assert.equal(f.drop_rate, null);
    assert.equal(f.acd_sec, null);
    assert.equal(f.short_call_ratio, null);
    assert.equal(f.duration_p50_sec, null);
    assert.equal(f.peak_concurrency, 0);
  });

  it('when there are no calls, then attempts is 0 and every ratio is null', () => {
    const f = expectedFigures([]);
    assert.equal(f.attempts, 0);
    assert.equal(f.asr, null);
    assert.equal(f.ner, null);
  });
});
