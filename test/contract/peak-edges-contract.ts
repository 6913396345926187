import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CallFilter } from '../../src/domain/call-filter.js';
import type { Figures } from '../../src/domain/stats/figures.js';
import type { BreakdownField } from '../../src/domain/stats/stats-query.js';
import { bucketBoundaries, type Bucket } from '../../src/domain/stats/time-buckets.js';
import type { CallStore } from '../../src/storage/port.js';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { assertSameAnswer } from '../stats/stats-reference.js';
import { deliveryOf, type StoreFactory } from './ingest-contract.js';

/** 2026-10-30T00:00:00Z, a whole UTC hour. */
const H = 1_793_347_200;
const HOUR = 3600;

/** A NORMAL call (disconnect_reason 1001, terminate 16) set up at `setup` that talks [start, end); start 0: never connected. */
function normalCall(setup: number, start: number, end: number, overrides: Record<string, string> = {}) {
  const duration = start === 0 ? 0 : end - start;
  return deliveryOf(validCallbackValues({
    setup_time: String(setup), start_time: String(start), end_time: String(end), duration: String(duration),
    billing_sec: String(duration), terminate: '16', disconnect_reason: '1001', ...overrides,
  }));
}

/** A window of one or two whole hours from H, with both ends off the hour. */
const windowArb = fc.record({
  headGap: fc.integer({ min: 1, max: HOUR - 1 }),
  wholeHours: fc.integer({ min: 1, max: 2 }),
  tailGap: fc.integer({ min: 1, max: HOUR - 1 }),
});
type Window = typeof windowArb extends fc.Arbitrary<infer T> ? T : never;

/**
 * A call set up in one part of the window (or just outside it) that talks a little, for
 * hours or through the whole window: head calls talking into the tail, whole-hour calls
 * spilling into the tail and tail calls, in every mix.
 */
const callArb = fc.record({
  part: fc.constantFrom('before', 'head', 'whole', 'tail', 'after'),
  at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  connected: fc.boolean(),
  tta: fc.integer({ min: 0, max: 60 }),
  duration: fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: 600 }), weight: 1 },
    { arbitrary: fc.integer({ min: 600, max: 2 * HOUR }), weight: 1 },
    // Long talks are what make the edges meet: half of them.
    { arbitrary: fc.integer({ min: 2 * HOUR, max: 4 * HOUR }), weight: 2 },
  ),
  error: fc.boolean(),
  type: fc.constantFrom('A', 'V'),
});
type GeneratedCall = typeof callArb extends fc.Arbitrary<infer T> ? T : never;

function deliveryOfGenerated(g: GeneratedCall, w: Window) {
  const [lo, hi] = {
    before: [H - w.headGap - HOUR, H - w.headGap],
    head: [H - w.headGap, H],
    whole: [H, H + w.wholeHours * HOUR],
    tail: [H + w.wholeHours * HOUR, H + w.wholeHours * HOUR + w.tailGap],
    after: [H + w.wholeHours * HOUR + w.tailGap, H + (w.wholeHours + 1) * HOUR],
  }[g.part] as [number, number];
  const setup = lo + Math.floor(g.at * (hi - lo));
  const start = g.connected ? setup + g.tta : 0;
  // An error reason makes a connected call dropped and one that never connected failed.
  return normalCall(setup, start, g.connected ? start + g.duration : setup + 5, { type: g.type, ...(g.error ? { disconnect_reason: '1301' } : {}) });
}

/** The summary, time series and breakdowns of one filter: from the rollups (with scanned edges) equal to the exact scan, peak never above answered. */
async function assertRollupsMatchScan(store: CallStore, filter: CallFilter, context: string): Promise<void> {
  const check = (fast: Figures, exact: Figures, where: string) => {
    assertSameAnswer(fast, exact, `${context} ${where}`);
    assert.ok(fast.peak_concurrency <= fast.answered, `${context} ${where}: peak ${fast.peak_concurrency} > answered ${fast.answered}`);
  };
  const fast = await store.statsSummary({ filter });
  const exact = await store.statsSummary({ filter, exact: true });
  assert.equal(fast.source, 'rollups', `${context}: summary from the rollups`);
  check(fast.summary, exact.summary, 'summary');
  for (const [bucket, tz] of [['hour', 'UTC'], ['day', 'UTC'], ['day', 'Asia/Tokyo']] as Array<[Bucket, string]>) {
    const boundaries = bucketBoundaries(filter.from ?? 0, filter.to ?? 0, bucket, tz) ?? [];
    const fastSeries = await store.statsTimeseries({ filter, bucket, tz, boundaries });
    const exactSeries = await store.statsTimeseries({ filter, bucket, tz, boundaries, exact: true });
    assert.equal(fastSeries.source, 'rollups', `${context} ${bucket} ${tz}: from the rollups`);
    fastSeries.items.forEach((item, i) => {
      check(item, exactSeries.items[i] as Figures, `${bucket} ${tz} bucket ${i}`);
    });
  }
  for (const by of ['type', 'outcome'] as BreakdownField[]) {
    const fastItems = (await store.statsBreakdown({ filter, by, limit: 100 })).items;
    const exactItems = (await store.statsBreakdown({ filter, by, limit: 100, exact: true })).items;
    assert.deepEqual(fastItems.map((i) => i.value), exactItems.map((i) => i.value), `${context} by ${by}: the same values`);
    fastItems.forEach((item, i) => {
      check(item, exactItems[i] as Figures, `by ${by}=${item.value}`);
    });
  }
}

/** Peak concurrency of windows with both ends off the hour: rollups plus scanned edges, against the scan. */
export function describePeakEdgesContract(name: string, open: StoreFactory, options: { runs: number }): void {
  describe(`${name}: peak concurrency at window edges contract`, () => {
    it('when a head call talks through the whole hours into the tail, then a whole-hour call talking into the tail counts once', async () => {
      const { store, cleanup } = await open();
      try {
        await store.recordCallbacks([
          normalCall(H - 100, H - 90, H + 7200), // head, talks into the tail
          normalCall(H + 1000, H + 1010, H + 4600), // whole hour, talks into the tail
          normalCall(H + 3700, H + 3710, H + 4000), // tail
        ]);
        const filter: CallFilter = { time_field: 'setup_time', from: H - 500, to: H + 3800 };
        const fast = await store.statsSummary({ filter });
        const exact = await store.statsSummary({ filter, exact: true });
        assert.equal(fast.source, 'rollups');
        assert.equal(exact.summary.peak_concurrency, 3);
        assert.equal(fast.summary.peak_concurrency, 3);
        const byType = await store.statsBreakdown({ filter, by: 'type', limit: 5 });
        assert.equal(byType.items[0]?.peak_concurrency, 3);
        const daily = await store.statsTimeseries({ filter, bucket: 'day', tz: 'UTC', boundaries: bucketBoundaries(H - 500, H + 3800, 'day', 'UTC') ?? [] });
        assert.equal(daily.source, 'rollups');
        assert.equal(daily.items[0]?.peak_concurrency, 3);
      } finally {
        await cleanup();
      }
    });

    it('when random calls are queried over random windows with both ends off the hour, then peak concurrency never exceeds answered and the rollup answer equals the exact answer', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(callArb, { minLength: 1, maxLength: 20 }), windowArb, async (generated, window) => {
          const { store, cleanup } = await open();
          try {
            await store.recordCallbacks(generated.map((g) => deliveryOfGenerated(g, window)));
            const filter: CallFilter = { time_field: 'setup_time', from: H - window.headGap, to: H + window.wholeHours * HOUR + window.tailGap };
            await assertRollupsMatchScan(store, filter, `window [H - ${window.headGap}, H + ${window.wholeHours} h + ${window.tailGap})`);
          } finally {
            await cleanup();
          }
        }),
        { numRuns: options.runs, interruptAfterTimeLimit: 60_000 },
      );
    });
  });
}
