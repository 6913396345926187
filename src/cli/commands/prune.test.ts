import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parsePruneBefore } from './prune.js';

const NOW = Date.UTC(2026, 10, 25) ; // 2026-11-25T00:00:00Z

it('when --before is a bare date, then it means midnight UTC of that day', () => {
  assert.equal(parsePruneBefore('2026-01-01', NOW), Date.UTC(2026, 0, 1) / 1000);
});

it('when --before is Unix seconds or a date-time with a zone, then it is read exactly', () => {
  assert.equal(parsePruneBefore('1767225600', NOW), 1_767_225_600);
  assert.equal(parsePruneBefore('2026-01-01T09:00:00+09:00', NOW), 1_767_225_600);
});

it('when --before is a date-time without a zone or free text, then it is refused', () => {
  assert.throws(() => parsePruneBefore('2026-01-01T00:00:00', NOW), /with its zone/);
  assert.throws(() => parsePruneBefore('last month', NOW), /Unix seconds/);
});

it('when --before is in the future, then it is refused', () => {
  assert.throws(() => parsePruneBefore('2027-01-01', NOW), /in the future/);
});
