import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { StatsCall } from './figures.js';
import { peakConcurrency, talks } from './peak-concurrency.js';
import { isLongCall, maxReach, PEAK_REACH_HOURS, REACH_STEP_SEC, REACH_STEPS, reachAt, reachHoursOf, reachIndex, trimReach } from './peak-reach.js';
import { carrySpill, nextSlotAfter, peaksByCell, rollupCellsOf, slotOf } from './rollup-cells.js';

const H = 3_600;
/** 2026-01-01T00:00:00Z. */
const BASE = 1_767_225_600;

function call(setup: number, start: number, end: number, type: 'A' | 'V' = 'A'): StatsCall {
  const talking = start > 0;
  return {
    setup_time: setup, start_time: start, end_time: end, duration: talking ? end - start : 0, billing_sec: null,
    outcome: talking ? 'completed' : 'canceled', reason: 'NORMAL', terminate: 16, ended_by: 'caller', type,
    from_service_id: 's', to_service_id: 's', from_user_id: 'u1', to_user_id: 'u2',
  };
}

/** Calls over ~30 hours from BASE, some talking for hours (none past the reach). */
const callsArb = fc.array(
  fc.record({
    setup: fc.integer({ min: 0, max: 30 * H }),
    tta: fc.integer({ min: 0, max: 120 }),
    talks: fc.boolean(),
    duration: fc.oneof(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 600, max: 3 * H }), fc.integer({ min: 1, max: 20 * H })),
    type: fc.constantFrom<'A' | 'V'>('A', 'V'),
  }).map((g) => {
    const setup = BASE + g.setup;
    return g.talks ? call(setup, setup + g.tta, setup + g.tta + g.duration, g.type) : call(setup, 0, setup + 5, g.type);
  }),
  { maxLength: 50 },
);

/**
 * Reference for peaksByCell (which sweeps every cell at once): the reach vector of hour
 * `slot` for one cell, computed on its own: `calls` are the cell's talking calls set up
 * in `slot` or in the PEAK_REACH_HOURS − 1 hours before it (others are ignored; earlier
 * calls that end by `slot` change nothing). Trailing equal values are trimmed: an index
 * past the end reads the last value (reachAt).
 */
function referenceReach(slot: number, calls: Iterable<Pick<StatsCall, 'setup_time' | 'start_time' | 'end_time' | 'outcome'>>): number[] {
  // Events at instants ≥ slot: +1 when a call starts talking (or at slot, if it already was), −1 when it ends.
  const events: Array<{ at: number; delta: 1 | -1; age: number }> = [];
  let maxAge = 0;
  for (const c of calls) {
    if (!talks(c) || c.end_time <= slot) continue;
    const hoursBack = (slot - slotOf(c.setup_time)) / H;
    if (hoursBack < 0 || hoursBack >= PEAK_REACH_HOURS) continue;
    // Steps of 15 minutes: the call counts from the step that reaches back to its setup.
    const age = hoursBack === 0 ? 0 : Math.ceil((slot - c.setup_time) / REACH_STEP_SEC);
    if (age > maxAge) maxAge = age;
    events.push({ at: Math.max(c.start_time, slot), delta: 1, age }, { at: c.end_time, delta: -1, age });
  }
  // Half-open intervals: at one instant, ends come before starts.
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  const open = new Array<number>(maxAge + 1).fill(0);
  const best = new Array<number>(maxAge + 1).fill(0);
  for (const e of events) {
    open[e.age] = (open[e.age] as number) + e.delta;
    if (e.delta < 0) continue;
    // Calls of ages ≤ i open now; only the sums that include this call's age grew.
    let sum = 0;
    for (let i = 0; i <= maxAge; i++) {
      sum += open[i] as number;
      if (i >= e.age && sum > (best[i] as number)) best[i] = sum;
    }
  }
  return trimReach(best);
}

/** Every cell of every slot with exact reach vectors, computed from all calls at once. */
function rowsOf(calls: readonly StatsCall[]) {
  const slots = [...new Set(calls.map((c) => slotOf(c.setup_time)))];
  return slots.flatMap((slot) => peaksByCell(slot, calls.filter(talks)).map((p) => ({ slot, ...p })));
}

describe('peak reach', () => {
  it('when a window of whole hours is read from the reach vectors, then its peak equals the brute-force peak of its calls', () => {
    fc.assert(
      fc.property(callsArb, fc.integer({ min: -2, max: 31 }), fc.integer({ min: 1, max: 34 }), fc.constantFrom('', 'A', 'V'), (calls, fromHour, hours, type) => {
        const from = BASE + fromHour * H;
        const to = from + hours * H;
        const inCell = (c: StatsCall) => type === '' || c.type === type;
        const rows = rowsOf(calls).filter((r) => r.dim === (type === '' ? 'all' : 'type') && r.value === type && r.slot >= from && r.slot < to);
        const fromRollups = Math.max(0, ...rows.map((r) => reachAt(r.reach, reachIndex(r.slot, from))));
        const expected = peakConcurrency(calls.filter((c) => inCell(c) && c.setup_time >= from && c.setup_time < to));
        assert.equal(fromRollups, expected);
      }),
      { numRuns: 400 },
    );
  });

  it('when batches of whole hours carry their spilling calls forward, then the cells equal those computed from all calls at once', () => {
    fc.assert(
      fc.property(callsArb, fc.integer({ min: 1, max: 8 }), (calls, hoursPerBatch) => {
        const bySlot = [...calls].sort((a, b) => a.setup_time - b.setup_time);
        const batches: StatsCall[][] = [];
        for (const c of bySlot) {
          const batch = Math.floor((slotOf(c.setup_time) - BASE) / H / hoursPerBatch);
          (batches[batch] ??= []).push(c);
        }
        let spill: StatsCall[] = [];
        const chunked = new Map<string, number[]>();
        for (const batch of batches.filter((b) => b !== undefined && b.length > 0)) {
          for (const cell of rollupCellsOf(batch, spill)) chunked.set(`${cell.slot} ${cell.dim} ${cell.value}`, cell.peak_reach);
          spill = carrySpill(spill, batch, nextSlotAfter(batch));
        }
        const whole = new Map(rowsOf(calls).map((r) => [`${r.slot} ${r.dim} ${r.value}`, r.reach]));
        for (const [key, reach] of chunked) {
          // Cells without a talking call have no reach row in `whole`: their vector is [0].
          assert.deepEqual(reach, whole.get(key) ?? [0], key);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('when every cell is swept at once, then each reach equals the reference computed for the cell\'s calls alone', () => {
    fc.assert(
      fc.property(callsArb, fc.integer({ min: 0, max: 30 }), (calls, hour) => {
        const slot = BASE + hour * H;
        for (const { dim, value, reach } of peaksByCell(slot, calls)) {
          const own = calls.filter((c) => dim === 'all' || String(c[dim as 'type']) === value);
          assert.deepEqual(reach, referenceReach(slot, own), `${dim}=${value}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('when the earlier hours are not given, then a cell holds its own peak only', () => {
    const calls = [call(BASE + 10, BASE + 20, BASE + 4000), call(BASE + H + 5, BASE + H + 10, BASE + H + 20)];
    const cell = rollupCellsOf([calls[1] as StatsCall]).find((c) => c.dim === 'all');
    assert.deepEqual(cell?.peak_reach, [1]);
    const exact = rollupCellsOf([calls[1] as StatsCall], [calls[0] as StatsCall]).find((c) => c.dim === 'all');
    // The earlier call was set up 3,590 s before the hour: it counts from the fourth quarter-hour step back.
    assert.deepEqual(exact?.peak_reach, [1, 1, 1, 1, 2]);
  });

  it('when vectors are trimmed, read and merged, then trailing repeats stand for the last value', () => {
    assert.deepEqual(trimReach([1, 2, 2, 2]), [1, 2]);
    assert.deepEqual(trimReach([]), [0]);
    assert.equal(reachAt([1, 2], 10), 2);
    assert.equal(reachAt([], 3), 0);
    assert.deepEqual(maxReach([1, 3], [2]), [2, 3]);
    assert.deepEqual(maxReach([1], [2]), [2]);
  });

  it('when the reach index is computed, then it counts the window quarter-hours before the row, capped', () => {
    assert.equal(reachIndex(BASE, BASE), 0);
    assert.equal(reachIndex(BASE + 3 * H, BASE), 12);
    assert.equal(reachIndex(BASE + 3 * H, BASE + 1800), 10);
    assert.equal(reachIndex(BASE + 100 * H, BASE), REACH_STEPS - 1);
    assert.equal(reachIndex(BASE, undefined), REACH_STEPS - 1);
  });

  it('when a call talks, then the hours it can change run from its setup hour to its last talking second, at most the reach', () => {
    assert.deepEqual(reachHoursOf(call(BASE + 10, BASE + 20, BASE + H)), [BASE]);
    assert.deepEqual(reachHoursOf(call(BASE + 10, BASE + 20, BASE + H + 1)), [BASE, BASE + H]);
    assert.deepEqual(reachHoursOf(call(BASE + 10, 0, BASE + 15)), []);
    assert.equal(reachHoursOf(call(BASE, BASE + 1, BASE + 100 * H)).length, PEAK_REACH_HOURS);
  });

  it('when a call talks past its setup hour plus the reach, then it is long', () => {
    assert.equal(isLongCall(call(BASE + 10, BASE + 20, BASE + PEAK_REACH_HOURS * H)), false);
    assert.equal(isLongCall(call(BASE + 10, BASE + 20, BASE + PEAK_REACH_HOURS * H + 1)), true);
    assert.equal(isLongCall(call(BASE + 10, 0, BASE + PEAK_REACH_HOURS * H + 1)), false);
  });

  it('when calls end exactly as others start, then they do not overlap in any reach', () => {
    const calls = [call(BASE + 10, BASE + 3000, BASE + H + 100), call(BASE + H + 1, BASE + H + 100, BASE + H + 200)];
    assert.deepEqual(peaksByCell(BASE + H, calls).find((c) => c.dim === 'all')?.reach, [1]);
  });
});
