import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketBoundaries, bucketStart, isoWithOffset, isValidTimeZone, nextBucketStart } from './time-buckets.js';

const at = (iso: string) => Date.parse(iso) / 1000;

describe('time buckets', () => {
  it('when a day bucket is asked in Asia/Tokyo, then it starts at 15:00 UTC the day before', () => {
    assert.equal(bucketStart(at('2026-03-10T14:59:59Z'), 'day', 'Asia/Tokyo'), at('2026-03-09T15:00:00Z'));
    assert.equal(bucketStart(at('2026-03-10T15:00:00Z'), 'day', 'Asia/Tokyo'), at('2026-03-10T15:00:00Z'));
  });

  it('when Seoul, Taipei and Bangkok days are asked, then each starts at its own local midnight', () => {
    const t = at('2026-06-01T12:00:00Z');
    assert.equal(isoWithOffset(bucketStart(t, 'day', 'Asia/Seoul'), 'Asia/Seoul'), '2026-06-01T00:00:00+09:00');
    assert.equal(isoWithOffset(bucketStart(t, 'day', 'Asia/Taipei'), 'Asia/Taipei'), '2026-06-01T00:00:00+08:00');
    assert.equal(isoWithOffset(bucketStart(t, 'day', 'Asia/Bangkok'), 'Asia/Bangkok'), '2026-06-01T00:00:00+07:00');
  });

  it('when Europe/Berlin springs forward, then that day is 23 hours long and the next is 24', () => {
    const day = bucketStart(at('2026-03-29T12:00:00Z'), 'day', 'Europe/Berlin');
    assert.equal(day, at('2026-03-28T23:00:00Z'));
    const next = nextBucketStart(day, 'day', 'Europe/Berlin');
    assert.equal(next - day, 23 * 3600);
    assert.equal(nextBucketStart(next, 'day', 'Europe/Berlin') - next, 24 * 3600);
  });

  it('when Europe/Berlin falls back, then the repeated local hour gives two distinct hour buckets and the day is 25 hours', () => {
    const day = bucketStart(at('2026-10-25T12:00:00Z'), 'day', 'Europe/Berlin');
    assert.equal(nextBucketStart(day, 'day', 'Europe/Berlin') - day, 25 * 3600);
    const first = bucketStart(at('2026-10-25T00:30:00Z'), 'hour', 'Europe/Berlin');
    const second = bucketStart(at('2026-10-25T01:30:00Z'), 'hour', 'Europe/Berlin');
    assert.equal(second - first, 3600);
    assert.equal(isoWithOffset(first, 'Europe/Berlin'), '2026-10-25T02:00:00+02:00');
    assert.equal(isoWithOffset(second, 'Europe/Berlin'), '2026-10-25T02:00:00+01:00');
  });

  it('when Asia/Kolkata hour buckets are asked, then they start at half past the UTC hour', () => {
    assert.equal(bucketStart(at('2026-01-01T10:10:00Z'), 'hour', 'Asia/Kolkata'), at('2026-01-01T09:30:00Z'));
    assert.equal(isoWithOffset(at('2026-01-01T09:30:00Z'), 'Asia/Kolkata'), '2026-01-01T15:00:00+05:30');
  });

  it('when a week bucket is asked, then it starts on the Monday at local midnight', () => {
    // 2026-01-01 is a Thursday.
    const start = bucketStart(at('2026-01-01T12:00:00Z'), 'week', 'Asia/Tokyo');
    assert.equal(isoWithOffset(start, 'Asia/Tokyo'), '2025-12-29T00:00:00+09:00');
    assert.equal(nextBucketStart(start, 'week', 'Asia/Tokyo') - start, 7 * 86400);
  });

  it('when boundaries cover a window, then the first holds from and the last reaches to', () => {
    const from = at('2026-01-01T00:00:00Z');
    const bounds = bucketBoundaries(from, from + 3 * 86400, 'day', 'UTC');
    assert.deepEqual(bounds, [from, from + 86400, from + 2 * 86400, from + 3 * 86400]);
    assert.equal(bucketBoundaries(from, from + 86400 * 30, 'minute', 'UTC', 100), null);
  });

  it('when a zone name is unknown, then it is refused', () => {
    assert.equal(isValidTimeZone('Asia/Tokyo'), true);
    assert.equal(isValidTimeZone('Mars/Olympus'), false);
  });
});
