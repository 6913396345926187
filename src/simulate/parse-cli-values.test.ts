import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDurationMs, parseDurationMsOrZero, parseEpoch, parseRatePerSec, parseShare, parseWholeNumber } from './parse-cli-values.js';

describe('simulator option values', () => {
  it('when a duration has a unit or none, then it is read as milliseconds (seconds by default)', () => {
    assert.equal(parseDurationMs('10s', '--duration'), 10_000);
    assert.equal(parseDurationMs('250ms', '--duration'), 250);
    assert.equal(parseDurationMs('2m', '--duration'), 120_000);
    assert.equal(parseDurationMs('1h', '--span'), 3_600_000);
    assert.equal(parseDurationMs('3', '--duration'), 3_000);
  });

  it('when a duration is zero, negative or has an unknown unit, then the error names the option', () => {
    for (const bad of ['0s', '-1s', '10d', 'ten']) assert.throws(() => parseDurationMs(bad, '--duration'), /--duration must be a positive duration/);
  });

  it('when zero is allowed, then 0 in any unit is 0 and anything else reads as a duration', () => {
    for (const zero of ['0', '0s', '00ms', ' 0m ']) assert.equal(parseDurationMsOrZero(zero, '--reorder-window'), 0);
    assert.equal(parseDurationMsOrZero('1m', '--reorder-window'), 60_000);
    assert.throws(() => parseDurationMsOrZero('-1s', '--reorder-window'), /--reorder-window must be a positive duration/);
  });

  it('when a rate is per second or per minute, then it is read as requests per second', () => {
    assert.equal(parseRatePerSec('500', '--rate'), 500);
    assert.equal(parseRatePerSec('500/s', '--rate'), 500);
    assert.equal(parseRatePerSec('120/m', '--rate'), 2);
    assert.throws(() => parseRatePerSec('0', '--rate'), /--rate must be a positive rate/);
  });

  it('when a share is a fraction or a percentage within [0, 1], then it is accepted; otherwise refused', () => {
    assert.equal(parseShare('0.05', '--duplicate-share'), 0.05);
    assert.equal(parseShare('5%', '--duplicate-share'), 0.05);
    assert.throws(() => parseShare('1.5', '--late-share'), /--late-share must be a fraction/);
    assert.throws(() => parseShare('', '--late-share'), /--late-share/);
  });

  it('when an epoch is Unix seconds or ISO-8601, then both give Unix seconds', () => {
    assert.equal(parseEpoch('1800000000', '--epoch'), 1_800_000_000);
    assert.equal(parseEpoch('2027-01-15T08:00:00Z', '--epoch'), Date.UTC(2027, 0, 15, 8) / 1000);
    assert.throws(() => parseEpoch('yesterday', '--epoch'), /--epoch must be Unix seconds/);
  });

  it('when a count is outside its range, then it is refused', () => {
    assert.equal(parseWholeNumber('64', '--concurrency', 1, 1024), 64);
    assert.throws(() => parseWholeNumber('0', '--concurrency', 1, 1024), /--concurrency must be a whole number from 1 to 1024/);
  });
});
