import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { addToHistogram, HistogramSum, histogramToJson, mergeHistogramJson, type SecondsHistogram } from './seconds-histogram.js';

/** A histogram as sorted [key, count] pairs, for comparing. */
const sorted = (h: SecondsHistogram) => [...h].sort((a, b) => a[0] - b[0]);

describe('HistogramSum', () => {
  it('when random histograms are summed from their JSON, then the sum equals merging them one by one', () => {
    // Seconds from negative time-to-answer to years, so keys fall inside and outside the dense range.
    const seconds = fc.oneof(fc.integer({ min: -1_000, max: 700 }), fc.integer({ min: 0, max: 2 ** 45 }));
    fc.assert(
      fc.property(fc.array(fc.array(fc.tuple(seconds, fc.integer({ min: 1, max: 10_000 })), { maxLength: 40 }), { maxLength: 12 }), (lists) => {
        const texts = lists.map((list) => {
          const h: SecondsHistogram = new Map();
          for (const [s, n] of list) addToHistogram(h, s, n);
          return histogramToJson(h);
        });
        const expected: SecondsHistogram = new Map();
        for (const text of texts) mergeHistogramJson(expected, text);
        const sum = new HistogramSum();
        for (const text of texts) sum.addJson(text);
        const actual: SecondsHistogram = new Map();
        sum.addTo(actual);
        assert.deepEqual(sorted(actual), sorted(expected));
      }),
    );
  });

  it('when a text is not the compact form (spaces, decimals, huge counts) or is empty, then it is still read exactly', () => {
    const sum = new HistogramSum();
    for (const text of ['[3, 2]', '[3,1.5]', '[4,1234567890123456]', '[]', null, '[-5,1,600,2]']) sum.addJson(text);
    const into: SecondsHistogram = new Map([[3, 1]]);
    sum.addTo(into);
    assert.deepEqual(sorted(into), [[-5, 1], [3, 4.5], [4, 1234567890123456], [600, 2]]);
  });
});
