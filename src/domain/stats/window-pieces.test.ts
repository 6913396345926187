import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bucketBoundaries } from './time-buckets.js';
import { BLOCK_WIDTHS, windowPieces } from './window-pieces.js';

const DAY = 86_400;
const BASE = 1_767_225_600; // 2026-01-01T00:00:00Z

/** Every piece as [start, end), sorted. */
function intervals(p: ReturnType<typeof windowPieces>): Array<[number, number]> {
  const out: Array<[number, number]> = [...p.quarters.map((q) => [q, q + 900] as [number, number]), ...p.hours.map((h) => [h, h + 3600] as [number, number])];
  for (const [w, starts] of p.blocks) out.push(...starts.map((s) => [s, s + w] as [number, number]));
  return out.sort((a, b) => a[0] - b[0]);
}

describe('windowPieces', () => {
  it('when a 30-day window on whole UTC days is covered, then it is 30 day blocks', () => {
    const p = windowPieces(BASE - 30 * DAY, BASE, []);
    assert.equal(p.blocks.get(86_400)?.length, 30);
    assert.equal(intervals(p).length, 30);
  });

  it('when days start at 15:00 UTC (Asia/Tokyo), then each is eight 3-hour blocks', () => {
    const cuts = bucketBoundaries(BASE - 30 * DAY - 9 * 3600, BASE - 9 * 3600, 'day', 'Asia/Tokyo') ?? [];
    const p = windowPieces(BASE - 30 * DAY - 9 * 3600, BASE - 9 * 3600, cuts);
    assert.equal(p.blocks.get(10_800)?.length, 240);
    assert.equal(p.hours.length + p.quarters.length, 0);
  });

  it('when windows and cuts are random quarter-hours, then the pieces tile the window exactly, aligned, never across a cut', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 2000 }), fc.array(fc.integer({ min: 0, max: 4000 })), (a, n, cutQuarters) => {
        const from = BASE + a * 900;
        const to = from + n * 900;
        const cuts = cutQuarters.map((c) => BASE + c * 900);
        const list = intervals(windowPieces(from, to, cuts));
        let t = from;
        for (const [s, e] of list) {
          assert.equal(s, t, 'contiguous');
          assert.equal(s % (e - s), 0, 'aligned to its own width');
          assert.ok(!cuts.some((c) => c > s && c < e), 'no cut inside a piece');
          assert.ok([900, 3600, ...BLOCK_WIDTHS].includes(e - s));
          t = e;
        }
        assert.equal(t, to);
      }),
    );
  });
});
