import Database from 'better-sqlite3';
import { after, before, describe, it } from 'node:test';
import { tempDatabaseFile } from '../fixtures/test-app.js';
import {
  assertEveryCaseHappened, assertLifecyclePasses, assertTamperFound, type LifecycleRun, runLifecycleScenario, tamperTargets, verifyThroughServer,
} from './lifecycle-scenario.js';

describe('simulate --lifecycle → callevt on SQLite (relaying to a stand-in push handler) → verify', () => {
  const db = tempDatabaseFile();
  let run: LifecycleRun;

  before(async () => {
    run = await runLifecycleScenario(db.file, 600, 'life-e2e');
  });

  after(async () => {
    await run?.close();
    db.cleanup();
  });

  it('when calls go Notify → Agent Call Status → end with lost ends, undeliverable, refused and stalled Notifies, then every case happened and was answered as expected', () => {
    assertEveryCaseHappened(run);
  });

  it('when verified after the end deadline, then every Notify, relay verdict, Agent Call Status, end_missing call and push diagnosis matches', async () => {
    assertLifecyclePasses(await verifyThroughServer(run));
  });

  // Last: it changes the database the test above verified.
  it('when a stored Notify is removed and a refused relay is recorded as ok, then verify fails naming both sids', async () => {
    const targets = tamperTargets(run.truth);
    const sqlite = new Database(db.file);
    try {
      sqlite.prepare('DELETE FROM notifies WHERE sid = ?').run(targets.removedNotify);
      sqlite.prepare("UPDATE notify_relays SET outcome = 'ok', status = 200 WHERE sid = ?").run(targets.flippedRelay);
    } finally {
      sqlite.close();
    }
    assertTamperFound(await verifyThroughServer(run), targets);
  });
});
