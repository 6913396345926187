import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatsCall } from './figures.js';
import { peakConcurrency } from './peak-concurrency.js';
import { bucketValue, bucketKey, histogramPercentile, MAX_PERCENTILE_RELATIVE_ERROR } from './seconds-histogram.js';
import { summarizeCalls } from './summarize-calls.js';

function call(overrides: Partial<StatsCall> = {}): StatsCall {
  return {
    setup_time: 1000, start_time: 1005, end_time: 1125, duration: 120, billing_sec: 120, outcome: 'completed',
    reason: 'NORMAL', terminate: 16, ended_by: 'caller', type: 'V', from_service_id: 's', to_service_id: 's',
    from_user_id: 'a', to_user_id: 'b', ...overrides,
  };
}

describe('summarizeCalls', () => {
  it('when there are no calls, then ratios and percentiles are null and counts are 0', () => {
    const f = summarizeCalls([]);
    assert.equal(f.attempts, 0);
    assert.equal(f.asr, null);
    assert.equal(f.ner, null);
    assert.equal(f.drop_rate, null);
    assert.equal(f.acd_sec, null);
    assert.equal(f.duration_p50_sec, null);
    assert.equal(f.peak_concurrency, 0);
  });

  it('when calls have mixed outcomes, then answered, asr, ner, drop_rate and acd follow the spec', () => {
    const f = summarizeCalls([
      call({ duration: 100 }),
      call({ outcome: 'dropped', duration: 5 }),
      call({ outcome: 'failed', duration: 0, start_time: 0, billing_sec: null }),
      call({ outcome: 'busy', duration: 0, start_time: 0, billing_sec: 0 }),
    ]);
    assert.equal(f.answered, 2);
    assert.equal(f.asr, 0.5);
    assert.equal(f.ner, 0.75);
    assert.equal(f.drop_rate, 0.5);
    assert.equal(f.acd_sec, 52.5);
    assert.equal(f.short_call_ratio, 0.5);
    assert.equal(f.total_billing_sec, 240);
    assert.equal(f.duration_p50_sec, 5);
    assert.equal(f.duration_p99_sec, 100);
    assert.equal(f.tta_p50_sec, 5);
  });

  it('when one call ends exactly as another starts, then they do not overlap', () => {
    const talk = (start_time: number, end_time: number) => ({ start_time, end_time, outcome: 'completed' as const });
    assert.equal(peakConcurrency([talk(1, 5), talk(5, 9)]), 1);
    assert.equal(peakConcurrency([talk(1, 6), talk(5, 9), talk(0, 9)]), 2);
  });

  it('when a call has talk times but was not answered, then it does not count in peak concurrency', () => {
    const calls = [
      { start_time: 1, end_time: 9, outcome: 'dropped' as const },
      { start_time: 2, end_time: 9, outcome: 'rejected' as const },
      { start_time: 3, end_time: 9, outcome: 'failed' as const },
    ];
    assert.equal(peakConcurrency(calls), 1);
  });
});

describe('seconds histogram', () => {
  it('when values are below 600 s, then percentiles are exact', () => {
    const h = new Map<number, number>();
    for (const v of [3, 1, 599, 2]) h.set(bucketKey(v), (h.get(bucketKey(v)) ?? 0) + 1);
    assert.equal(histogramPercentile(h, 0.5), 2);
    assert.equal(histogramPercentile(h, 0.99), 599);
  });

  it('when values are large, then the reported value is within the stated relative error', () => {
    for (let v = 600; v < 5_000_000; v = Math.ceil(v * 1.013) + 1) {
      const reported = bucketValue(bucketKey(v));
      assert.ok(Math.abs(reported - v) <= v * MAX_PERCENTILE_RELATIVE_ERROR, `${v} reported as ${reported}`);
    }
  });
});
