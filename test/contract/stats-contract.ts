import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CallFilter } from '../../src/domain/call-filter.js';
import type { StatsCall } from '../../src/domain/stats/figures.js';
import { breakdownValue } from '../../src/domain/stats/compose-stats.js';
import { isLongCall, PEAK_REACH_HOURS } from '../../src/domain/stats/peak-reach.js';
import { HOUR_GRAIN, QUARTER_GRAIN } from '../../src/domain/stats/rollup-cells.js';
import type { BreakdownField } from '../../src/domain/stats/stats-query.js';
import { bucketBoundaries, type Bucket } from '../../src/domain/stats/time-buckets.js';
import type { CallbackRecord, CallStore, StoredClassification } from '../../src/storage/port.js';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { assertFigures, expectedFigures } from '../stats/stats-reference.js';
import { deliveryOf, type StoreFactory } from './ingest-contract.js';

/** 2026-01-01T00:00:00Z, a whole UTC hour: generated calls are set up within 3 days of it. */
const BASE = 1_767_225_600;
const SPAN_SEC = 3 * 86_400;
const REASON_CODES = [1001, 1002, 1003, 1201, 1202, 1203, 1301, 1302, 1309, 1399];
const TERMINATES = [16, 17, 18, 21, 77, 127];

const callArb = fc.record({
  offset: fc.integer({ min: 0, max: SPAN_SEC - 1 }),
  connected: fc.boolean(),
  tta: fc.integer({ min: 0, max: 90 }),
  duration: fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: 20 }), weight: 100 },
    { arbitrary: fc.integer({ min: 1, max: 900 }), weight: 100 },
    { arbitrary: fc.integer({ min: 900, max: 40_000 }), weight: 100 },
    // Now and then a call longer than the rollups' peak reach (a day): those queries scan.
    { arbitrary: fc.integer({ min: 86_400, max: 100_000 }), weight: 1 },
  ),
  disconnect: fc.constantFrom<number | null>(...REASON_CODES, null),
  terminate: fc.constantFrom(...TERMINATES),
  releaser: fc.integer({ min: 0, max: 5 }),
  type: fc.constantFrom('A', 'V'),
  from: fc.integer({ min: 1, max: 4 }),
  to: fc.integer({ min: 1, max: 4 }),
  service: fc.constantFrom('svc.a', 'svc.b'),
  noBilling: fc.boolean(),
  duplicate: fc.boolean(),
  conflict: fc.boolean(),
});

type GeneratedCall = typeof callArb extends fc.Arbitrary<infer T> ? T : never;

function valuesOf(g: GeneratedCall, index: number): Record<string, string> {
  const setup = BASE + g.offset;
  const start = g.connected ? setup + g.tta : 0;
  const duration = g.connected ? g.duration : 0;
  return validCallbackValues({
    sid: `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
    type: g.type,
    from_user_id: `user.${g.from}`,
    to_user_id: `user.${g.to}`,
    from_service_id: g.service,
    setup_time: String(setup),
    start_time: String(start),
    end_time: String(g.connected ? start + duration : setup + 5),
    duration: String(duration),
    billing_sec: g.noBilling ? undefined : String(duration),
    terminate: String(g.connected ? 16 : g.terminate),
    disconnect_reason: g.disconnect === null ? undefined : String(g.disconnect),
    releaser_type: String(g.releaser),
  });
}

/** A stored call as statistics see it, from its first delivery's record. */
function statsCallOf(record: CallbackRecord): StatsCall {
  if (record.kind !== 'event') throw new Error('not an event');
  return { ...record.event, ...record.classification };
}

/** Records generated calls (with duplicates and conflicting versions) in random batches; returns the stored calls. */
async function ingest(store: CallStore, generated: GeneratedCall[], batchSize: number): Promise<Map<string, StatsCall>> {
  const records: CallbackRecord[] = [];
  const stored = new Map<string, StatsCall>();
  generated.forEach((g, i) => {
    const values = valuesOf(g, i);
    const first = deliveryOf(values);
    records.push(first);
    stored.set(values.sid ?? '', statsCallOf(first));
    if (g.duplicate) records.push(deliveryOf(values));
    if (g.conflict) records.push(deliveryOf({ ...values, duration: String(g.duration + 7), start_time: '0', disconnect_reason: '1302' }));
  });
  for (let i = 0; i < records.length; i += batchSize) await store.recordCallbacks(records.slice(i, i + batchSize));
  return stored;
}

function matches(call: StatsCall, filter: CallFilter): boolean {
  const t = call[filter.time_field];
  if (filter.from !== undefined && t < filter.from) return false;
  if (filter.to !== undefined && t >= filter.to) return false;
  if (filter.user !== undefined && call.from_user_id !== filter.user && call.to_user_id !== filter.user) return false;
  if (filter.type !== undefined && call.type !== filter.type) return false;
  if (filter.reason !== undefined && call.reason !== filter.reason) return false;
  if (filter.outcome !== undefined && !filter.outcome.includes(call.outcome)) return false;
  return true;
}

/** Checks summary, time series and breakdowns of one filter against brute force. */
async function checkEverything(store: CallStore, calls: StatsCall[], filter: CallFilter, context: string, zone = 'Asia/Kolkata'): Promise<void> {
  const selected = calls.filter((c) => matches(c, filter));
  const summary = await store.statsSummary({ filter });
  // Rollups answer windows on whole hours from hours; any other window from its whole
  // quarter-hours, the partial quarter-hours at the ends scanned, so it needs one whole
  // quarter-hour inside; a call talking past the reach in those slots forces a scan.
  const aligned = (filter.from ?? 0) % 3600 === 0 && (filter.to ?? 0) % 3600 === 0;
  const grain = aligned ? HOUR_GRAIN : QUARTER_GRAIN;
  const middleFrom = filter.from === undefined ? Number.NEGATIVE_INFINITY : Math.ceil(filter.from / grain.sec) * grain.sec;
  const middleTo = filter.to === undefined ? Number.POSITIVE_INFINITY : Math.floor(filter.to / grain.sec) * grain.sec;
  const rollupable = filter.user === undefined && filter.outcome === undefined && (aligned || middleTo > middleFrom) &&
    !selected.some((c) => isLongCall(c, grain) && c.setup_time >= middleFrom && c.setup_time < middleTo);
  assert.equal(summary.source, rollupable ? 'rollups' : 'calls', `${context}: answered from ${summary.source}`);
  assertFigures(summary.summary, expectedFigures(selected, summary.source), `${context} summary (${summary.source})`);

  const series: Array<[Bucket, string]> = [['day', 'Asia/Tokyo'], ['hour', 'UTC'], ['day', zone], ['hour', zone], ['week', 'Europe/Berlin']];
  for (const [bucket, tz] of series) {
    const from = filter.from ?? BASE;
    const to = filter.to ?? BASE + SPAN_SEC;
    const windowed = { ...filter, from, to };
    const boundaries = bucketBoundaries(from, to, bucket, tz) ?? [];
    const series = await store.statsTimeseries({ filter: windowed, bucket, tz, boundaries });
    assert.equal(series.items.length, boundaries.length - 1, `${context} ${bucket} ${tz}: every bucket present`);
    series.items.forEach((item, i) => {
      const lo = boundaries[i] as number;
      const hi = boundaries[i + 1] as number;
      const inBucket = selected.filter((c) => matches(c, windowed) && c.setup_time >= lo && c.setup_time < hi);
      assert.equal(item.bucket_start, lo);
      assertFigures(item, expectedFigures(inBucket, series.source), `${context} ${bucket} ${tz} bucket ${i} (${series.source})`);
    });
  }

  for (const by of ['reason', 'outcome', 'terminate', 'type', 'caller'] as BreakdownField[]) {
    const answer = await store.statsBreakdown({ filter, by, limit: 1000 });
    const groups = new Map<string | number, StatsCall[]>();
    for (const c of selected) groups.set(breakdownValue(c, by), [...(groups.get(breakdownValue(c, by)) ?? []), c]);
    assert.equal(answer.items.length, groups.size, `${context} by ${by}: one item per value`);
    for (const item of answer.items) {
      const group = groups.get(item.value ?? '') ?? [];
      assertFigures(item, expectedFigures(group, answer.source), `${context} by ${by}=${item.value} (${answer.source})`);
    }
    const attempts = answer.items.map((i) => i.attempts);
    assert.deepEqual(attempts, [...attempts].sort((a, b) => b - a), `${context} by ${by}: largest first`);
  }
}

/**
 * Zones whose days and hours do not start on a whole UTC hour: +5:30, +5:45, +8:45, −3:30
 * (with DST), −9:30, and Lord Howe (+10:30/+11, DST of 30 minutes).
 */
const OFF_HOUR_ZONES = ['Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Eucla', 'America/St_Johns', 'Pacific/Marquesas', 'Australia/Lord_Howe'];

/** Statistics part of the storage contract: answers equal a brute-force recomputation. */
export function describeStatsContract(name: string, open: StoreFactory, options: { runs: number }): void {
  describe(`${name}: statistics contract`, () => {
    it('when random calls with duplicates and conflicts are ingested, then every figure equals the brute-force recomputation', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(callArb, { minLength: 0, maxLength: 60 }),
          fc.integer({ min: 1, max: 40 }),
          fc.constantFrom('A', 'V'),
          fc.integer({ min: 0, max: SPAN_SEC }),
          fc.integer({ min: 1, max: SPAN_SEC }),
          fc.constantFrom(...OFF_HOUR_ZONES),
          fc.integer({ min: 1, max: 4 * 72 - 1 }),
          async (generated, batchSize, type, windowStart, windowLength, zone, quarters) => {
            const { store, cleanup } = await open();
            try {
              const calls = [...(await ingest(store, generated, batchSize)).values()];
              const base: CallFilter = { time_field: 'setup_time' };
              await checkEverything(store, calls, base, 'all', zone);
              await checkEverything(store, calls, { ...base, from: BASE + 3600 * 5, to: BASE + 3600 * 40 }, 'aligned window', zone);
              await checkEverything(store, calls, { ...base, from: BASE + 1234, to: BASE + 100_000 }, 'unaligned window', zone);
              const from = BASE + windowStart;
              await checkEverything(store, calls, { ...base, from, to: from + windowLength }, `window [${from}, ${from + windowLength})`, zone);
              // Ends on quarter-hours but not on hours (a custom range in +5:30), then off the quarter-hour.
              const quarter = BASE + 900 * (1 + (windowStart % 40) * 4);
              await checkEverything(store, calls, { ...base, from: quarter, to: quarter + 900 * quarters }, `quarter window ${quarter}+${quarters}q`, zone);
              await checkEverything(store, calls, { ...base, from: quarter + 7, to: quarter + 900 * quarters + 500 }, 'off the quarter-hour', zone);
              await checkEverything(store, calls, { ...base, from, type }, `from ${from}, type=${type}`);
              await checkEverything(store, calls, { ...base, type }, `type=${type}`);
              await checkEverything(store, calls, { ...base, user: 'user.1' }, 'user=user.1');
              await checkEverything(store, calls, { ...base, outcome: ['completed', 'dropped'], type }, 'two dimensions');
            } finally {
              await cleanup();
            }
          },
        ),
        { numRuns: options.runs, interruptAfterTimeLimit: 60_000 },
      );
    });

    it('when stored outcomes are reclassified, then the rollups follow and still equal the recomputation', async () => {
      const { store, cleanup } = await open();
      try {
        const generated = fc.sample(fc.array(callArb, { minLength: 40, maxLength: 40 }), { numRuns: 1, seed: 42 })[0] ?? [];
        const stored = await ingest(store, generated, 16);
        // A new "classifier" that calls every third call failed: the rollups must move with it.
        const flip = (sid: string) => parseInt(sid.slice(-4), 16) % 3 === 0;
        await store.reclassifyCalls({
          classifierVersion: 999,
          classify: (call): StoredClassification => ({
            outcome: flip(call.sid) ? 'failed' : call.outcome, ended_by: call.ended_by, reason: flip(call.sid) ? 'RECLASSIFIED' : call.reason,
            reason_source: call.reason_source, classifier_version: 999,
          }),
        });
        const calls = [...stored].map(([sid, c]) => (flip(sid) ? { ...c, outcome: 'failed' as const, reason: 'RECLASSIFIED' } : c));
        assert.ok(calls.some((c) => c.reason === 'RECLASSIFIED'));
        await checkEverything(store, calls, { time_field: 'setup_time' }, 'after reclassification');
        await store.rebuildStatsRollups();
        await checkEverything(store, calls, { time_field: 'setup_time' }, 'after a rebuild');
      } finally {
        await cleanup();
      }
    });

    it('when overlapping calls of one hour arrive in separate batches, then the rollup peak counts them all', async () => {
      const { store, cleanup } = await open();
      try {
        // Ingest raises the peak only to each batch's own calls and marks the hour stale;
        // the read side must make it exact before answering.
        const talk = (start: number) =>
          validCallbackValues({ setup_time: String(BASE + start - 5), start_time: String(BASE + start), end_time: String(BASE + 1000), duration: String(1000 - start), billing_sec: String(1000 - start) });
        for (const start of [100, 200, 300]) await store.recordCallbacks([deliveryOf(talk(start))]);
        const first = await store.statsSummary({ filter: { time_field: 'setup_time' } });
        assert.equal(first.source, 'rollups');
        assert.equal(first.summary.peak_concurrency, 3);
        await store.recordCallbacks([deliveryOf(talk(400))]);
        const byType = await store.statsBreakdown({ filter: { time_field: 'setup_time' }, by: 'type', limit: 10 });
        assert.equal(byType.items[0]?.peak_concurrency, 4);
      } finally {
        await cleanup();
      }
    });

    it('when calls set up in different hours overlap, then the rollup peak counts them together, as the exact scan does', async () => {
      const { store, cleanup } = await open();
      try {
        // Two calls talking across an hour boundary, set up in different hours, and a third
        // set up in the hour before that ends before the boundary.
        const talk = (setup: number, start: number, end: number) =>
          validCallbackValues({ setup_time: String(BASE + setup), start_time: String(BASE + start), end_time: String(BASE + end), duration: String(end - start), billing_sec: String(end - start) });
        const a = talk(3590, 3595, 3700);
        const b = talk(3600, 3605, 3700);
        const c = talk(100, 200, 300);
        await store.recordCallbacks([deliveryOf(a)]);
        await store.recordCallbacks([deliveryOf(b), deliveryOf(c)]);
        const fast = await store.statsSummary({ filter: { time_field: 'setup_time' } });
        const exact = await store.statsSummary({ filter: { time_field: 'setup_time' }, exact: true });
        assert.equal(fast.source, 'rollups');
        assert.equal(fast.summary.peak_concurrency, 2);
        assert.equal(exact.source, 'calls');
        assert.equal(exact.summary.peak_concurrency, 2);
        // A window starting at the second hour leaves call a out: its peak is b alone.
        const second = await store.statsSummary({ filter: { time_field: 'setup_time', from: BASE + 3600, to: BASE + 7200 } });
        assert.equal(second.source, 'rollups');
        assert.equal(second.summary.peak_concurrency, 1);
        // Hourly buckets count each hour's calls only; a daily bucket counts them together.
        const hourly = await store.statsTimeseries({ filter: { time_field: 'setup_time', from: BASE, to: BASE + 7200 }, bucket: 'hour', tz: 'UTC', boundaries: [BASE, BASE + 3600, BASE + 7200] });
        assert.deepEqual(hourly.items.map((i) => i.peak_concurrency), [1, 1]);
        const daily = await store.statsTimeseries({ filter: { time_field: 'setup_time', from: BASE, to: BASE + 86_400 }, bucket: 'day', tz: 'UTC', boundaries: [BASE, BASE + 86_400] });
        assert.equal(daily.source, 'rollups');
        assert.deepEqual(daily.items.map((i) => i.peak_concurrency), [2]);
      } finally {
        await cleanup();
      }
    });

    it('when a window ends off the hour, then edge calls and the whole hours they overlap peak together', async () => {
      const { store, cleanup } = await open();
      try {
        const talk = (setup: number, start: number, end: number) =>
          deliveryOf(validCallbackValues({ setup_time: String(BASE + setup), start_time: String(BASE + start), end_time: String(BASE + end), duration: String(end - start), billing_sec: String(end - start) }));
        // Window [BASE + 1800, BASE + 3 h + 1800): a head call talking into hour 1 alongside two
        // calls of hour 1; a call of hour 2 still talking when the tail (hour 3) starts, with two tail calls.
        await store.recordCallbacks([
          talk(1900, 1950, 3900), talk(3610, 3620, 3800), talk(3630, 3640, 3850),
          talk(7300, 7310, 10_900), talk(10_810, 10_820, 10_950), talk(10_830, 10_840, 10_990),
          talk(1000, 1010, 4000), // set up before the window: never counted
        ]);
        const filter: CallFilter = { time_field: 'setup_time', from: BASE + 1800, to: BASE + 3 * 3600 + 1800 };
        const fast = await store.statsSummary({ filter });
        const exact = await store.statsSummary({ filter, exact: true });
        assert.equal(fast.source, 'rollups');
        assert.equal(exact.summary.peak_concurrency, 3);
        assert.equal(fast.summary.peak_concurrency, 3);
        assert.equal(fast.summary.attempts, 6);
        // Only the tail's end off the hour: the spilling call of hour 2 meets both tail calls.
        const tailOnly = await store.statsSummary({ filter: { ...filter, from: BASE + 2 * 3600 } });
        assert.equal(tailOnly.source, 'rollups');
        assert.equal(tailOnly.summary.peak_concurrency, 3);
        const byType = await store.statsBreakdown({ filter: { ...filter, from: BASE + 2 * 3600 }, by: 'type', limit: 5 });
        assert.equal(byType.items[0]?.peak_concurrency, 3);
      } finally {
        await cleanup();
      }
    });

    it('when a call talks longer than the rollups reach, then queries that include it scan and stay exact', async () => {
      const { store, cleanup } = await open();
      try {
        const long = PEAK_REACH_HOURS * 3600 + 100;
        const values = (setup: number, duration: number, type: string) =>
          validCallbackValues({ type, setup_time: String(BASE + setup), start_time: String(BASE + setup + 5), end_time: String(BASE + setup + 5 + duration), duration: String(duration), billing_sec: String(duration) });
        // A video call of a day and more, and an audio and a video call set up 20 hours later, all three talking at once.
        await store.recordCallbacks([deliveryOf(values(0, long, 'V')), deliveryOf(values(20 * 3600, 60, 'A')), deliveryOf(values(20 * 3600 + 10, 60, 'V'))]);
        const all = await store.statsSummary({ filter: { time_field: 'setup_time' } });
        assert.equal(all.source, 'calls');
        assert.equal(all.summary.peak_concurrency, 3);
        const audio = await store.statsSummary({ filter: { time_field: 'setup_time', type: 'A' } });
        assert.equal(audio.source, 'rollups');
        assert.equal(audio.summary.peak_concurrency, 1);
        const video = await store.statsSummary({ filter: { time_field: 'setup_time', type: 'V' } });
        assert.equal(video.source, 'calls');
        assert.equal(video.summary.peak_concurrency, 2);
        const later = await store.statsSummary({ filter: { time_field: 'setup_time', from: BASE + 3600 } });
        assert.equal(later.source, 'rollups');
        assert.equal(later.summary.peak_concurrency, 2);
      } finally {
        await cleanup();
      }
    });
  });
}
