import assert from 'node:assert/strict';
import { describeUpgradeOnBothDatabases, type UpgradeTarget } from './upgrade-on-both-databases.js';
import { summaryOfTotals } from '../../src/domain/stats/lifecycle/lifecycle-figures.js';
import { summarizeLifecycle } from '../../src/domain/stats/lifecycle/summarize-lifecycle.js';
import { storedRows, storeScenario, T } from '../contract/lifecycle-stats-contract.js';

/**
 * A database written before migration 14 (notifies, calls, relay attempts, Agent Call
 * Statuses, end_missing flags, no lifecycle rollups): opening it runs the step, which must
 * derive the rollups from the stored rows exactly as live ingest keeps them.
 */
async function upgradeScenario(target: UpgradeTarget): Promise<void> {
  const before = await target.openStore();
  await storeScenario(before);
  const whole = { from: T / 1000, to: T / 1000 + 8 * 3600 };
  const live = await before.lifecycleTotals({ ...whole, boundaries: [whole.from, whole.to] });
  await before.close();
  for (const text of ['DROP TABLE lifecycle_rollups', 'DROP INDEX notifies_received_at', 'DROP INDEX notify_relays_attempted_at',
    'DROP INDEX agent_call_statuses_received_at', 'DELETE FROM schema_migrations WHERE version = 14']) {
    await target.run(text);
  }
  const store = await target.openStore();
  try {
    const rebuilt = await store.lifecycleTotals({ ...whole, boundaries: [whole.from, whole.to] });
    assert.deepEqual(rebuilt, live);
    const summary = summaryOfTotals(rebuilt[0] ?? new Map());
    assert.ok(summary.notifies > 100 && summary.relay.attempts > 50 && summary.pushFailures.total > 10, 'the scenario is not empty');
    assert.deepEqual(summary, summarizeLifecycle(await storedRows(store), whole.from * 1000, whole.to * 1000));
  } finally {
    await store.close();
  }
}

describeUpgradeOnBothDatabases('migration 14 (call lifecycle rollups)', 'when notifies, calls, relay attempts and Agent Call Statuses were stored before the step, then it derives the rollups live ingest keeps', upgradeScenario);
