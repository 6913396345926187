import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RelayItem } from '../storage/port.js';
import { relayRetryDelayMs } from './relay-backoff.js';
import { type RelaySettings, settlementAfterFailure } from './relay-worker.js';

const SETTINGS: RelaySettings = { url: 'http://app/cb', agentCallStatusUrl: null, timeoutMs: 1_000, signingSecret: null, maxAttempts: 4, backoffBaseMs: 1_000, backoffMaxMs: 5_000, concurrency: 8 };
const item = (attempts: number): RelayItem => ({
  id: 7, deliveryId: 'd', kind: 'call-event', sid: 's', receivedAt: 0, method: 'GET', query: '', body: null, contentType: null, sourceIp: '::1', attempts, lastError: null,
});

describe('relay backoff', () => {
  it('when attempts fail one after another, then the wait doubles from the base and stops at the cap', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 60, 2_000].map((n) => relayRetryDelayMs(n, 1_000, 5_000)), [1_000, 2_000, 4_000, 5_000, 5_000, 5_000, 5_000]);
  });

  it('when an attempt below the cap fails, then the item is due again after the backoff from the given clock', () => {
    const now = 1_700_000_000_000;
    assert.deepEqual(settlementAfterFailure(item(1), 'HTTP 503', now, SETTINGS), { id: 7, outcome: 'retry', error: 'HTTP 503', nextAttemptAt: now + 1_000 });
    assert.deepEqual(settlementAfterFailure(item(3), 'HTTP 503', now, SETTINGS), { id: 7, outcome: 'retry', error: 'HTTP 503', nextAttemptAt: now + 4_000 });
  });

  it('when the attempt that reaches RELAY_MAX_ATTEMPTS fails (or one past it, after a crash), then the item is a dead letter', () => {
    assert.deepEqual(settlementAfterFailure(item(4), 'HTTP 500', 0, SETTINGS), { id: 7, outcome: 'dead', error: 'HTTP 500' });
    assert.deepEqual(settlementAfterFailure(item(5), 'HTTP 500', 0, SETTINGS), { id: 7, outcome: 'dead', error: 'HTTP 500' });
  });
});
