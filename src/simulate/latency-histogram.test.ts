import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LatencyHistogram } from './latency-histogram.js';

describe('LatencyHistogram', () => {
  it('when 1..1000 ms are recorded, then percentiles are within 1 % and the max is exact', () => {
    const h = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) h.record(ms);
    for (const [q, want] of [[0.5, 500], [0.9, 900], [0.99, 990]] as const) {
      const got = h.percentile(q);
      assert.ok(Math.abs(got - want) / want <= 0.011, `p${q * 100}: ${got}`);
    }
    assert.equal(h.max, 1000);
    assert.equal(h.count, 1000);
    assert.equal(h.mean, 500.5);
  });

  it('when nothing is recorded, then every figure is 0', () => {
    const h = new LatencyHistogram();
    assert.equal(h.percentile(0.99), 0);
    assert.equal(h.mean, 0);
  });
});
