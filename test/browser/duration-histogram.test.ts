import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationBins } from '../../web/src/duration-histogram.js';

const figures = { answered: 1000, short_call_ratio: 0.2, duration_p50_sec: 45, duration_p90_sec: 300, duration_p99_sec: 1200 };

describe('durationBins', () => {
  it('when the percentiles are above 10 s, then gives five bins whose shares follow the quantiles and sum to 1', () => {
    const bins = durationBins(figures);
    assert.deepEqual(bins.map((b) => b.label), ['≤ 10 s', '≤ 45 s', '≤ 5 m 00 s', '≤ 20 m 00 s', '> 20 m 00 s']);
    assert.deepEqual(bins.map((b) => Math.round(b.share * 1000) / 1000), [0.2, 0.3, 0.4, 0.09, 0.01]);
    assert.deepEqual(bins.map((b) => b.calls), [200, 300, 400, 90, 10]);
    assert.equal(Math.round(bins.reduce((s, b) => s + b.share, 0) * 1e9) / 1e9, 1);
  });

  it('when the median is under 10 s, then the bins stay in duration order and no share is negative', () => {
    const bins = durationBins({ ...figures, short_call_ratio: 0.7, duration_p50_sec: 4 });
    assert.deepEqual(bins.map((b) => b.label), ['≤ 4 s', '≤ 10 s', '≤ 5 m 00 s', '≤ 20 m 00 s', '> 20 m 00 s']);
    assert.ok(bins.every((b) => b.share >= 0));
    assert.equal(Math.round(bins[1]!.share * 100) / 100, 0.2);
  });

  it('when two edges are the same duration, then they merge into one bin', () => {
    const bins = durationBins({ ...figures, duration_p90_sec: 45 });
    assert.deepEqual(bins.map((b) => b.label), ['≤ 10 s', '≤ 45 s', '≤ 20 m 00 s', '> 20 m 00 s']);
    assert.equal(Math.round(bins[1]!.share * 100) / 100, 0.7);
  });

  it('when no call was answered, then there are no bins', () => {
    assert.deepEqual(durationBins({ answered: 0, short_call_ratio: null, duration_p50_sec: null, duration_p90_sec: null, duration_p99_sec: null }), []);
  });
});
