import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { createTestSchema, describePostgres, type TestSchema, withClient } from '../postgres/pg-test-schema.js';
import {
  assertEveryCaseHappened, assertLifecyclePasses, assertTamperFound, type LifecycleRun, runLifecycleScenario, tamperTargets, verifyThroughServer,
} from './lifecycle-scenario.js';

// The same run as simulate-lifecycle.e2e.test.ts, on a real PostgreSQL (a schema of its own).
describePostgres('simulate --lifecycle → callevt on PostgreSQL → verify', (pgUrl) => {
  let schema: TestSchema;
  let run: LifecycleRun;
  const spoolDir = mkdtempSync(join(tmpdir(), 'callevt-life-spool-'));

  before(async () => {
    schema = await createTestSchema(pgUrl);
    run = await runLifecycleScenario(schema.url, 500, 'life-e2e-pg', { SPOOL_FILE: join(spoolDir, 'spool.db') });
  });

  after(async () => {
    await run?.close();
    await schema?.drop();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('when the whole sequence is simulated, then every case happened and verify passes', async () => {
    assertEveryCaseHappened(run);
    assertLifecyclePasses(await verifyThroughServer(run));
  });

  it('when a stored Notify is removed and a refused relay is recorded as ok, then verify fails naming both sids', async () => {
    const targets = tamperTargets(run.truth);
    await withClient(pgUrl, async (c) => {
      await c.query(`DELETE FROM ${schema.schema}.notifies WHERE sid = $1`, [targets.removedNotify]);
      await c.query(`UPDATE ${schema.schema}.notify_relays SET outcome = 'ok', status = 200 WHERE sid = $1`, [targets.flippedRelay]);
    });
    assertTamperFound(await verifyThroughServer(run), targets);
  });
});
