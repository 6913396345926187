import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIN_ADAPTIVE_BATCH_ROWS, nextBatchRows, RETENTION_BATCH_TARGET_MS } from './retention-pacing.js';

describe('nextBatchRows', () => {
  it('when a batch took four times the target, then the next has a quarter of its rows', () => {
    assert.equal(nextBatchRows(200, 4 * RETENTION_BATCH_TARGET_MS, 250), 50);
  });

  it('when a batch was much quicker than the target, then the next has at most twice its rows, and never more than the maximum', () => {
    assert.equal(nextBatchRows(50, RETENTION_BATCH_TARGET_MS / 10, 250), 100);
    assert.equal(nextBatchRows(200, RETENTION_BATCH_TARGET_MS / 10, 250), 250);
  });

  it('when a batch took very long, then the next still has the minimum rows', () => {
    assert.equal(nextBatchRows(20, 100 * RETENTION_BATCH_TARGET_MS, 250), MIN_ADAPTIVE_BATCH_ROWS);
  });

  it('when the configured maximum is below the minimum, then the maximum wins', () => {
    assert.equal(nextBatchRows(1, 100 * RETENTION_BATCH_TARGET_MS, 1), 1);
    assert.equal(nextBatchRows(1, 0, 1), 1);
  });
});
