import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { openDatabaseApi } from '../../src/cli/commands/verify.js';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createHttpApiClient } from '../../src/simulate/api-client.js';
import type { GroundTruth } from '../../src/simulate/ground-truth.js';
import { createHttpTransport } from '../../src/simulate/http-transport.js';
import { runSimulation } from '../../src/simulate/run-simulation.js';
import { DEFAULT_TRAFFIC } from '../../src/simulate/traffic-options.js';
import { formatVerifyReport } from '../../src/simulate/verify/format-verify-report.js';
import { verifyGroundTruth } from '../../src/simulate/verify/verify-ground-truth.js';
import { createTestSchema, describePostgres, type TestSchema } from '../postgres/pg-test-schema.js';

const ITEMS = 1_500;
const CONCURRENCY = 32;

// The same end-to-end run as simulate-verify.e2e.test.ts, on a real PostgreSQL (a schema of its own).
describePostgres('simulate → callevt on PostgreSQL → verify', (pgUrl) => {
  let schema: TestSchema;
  let server: RunningServer;
  let truth: GroundTruth;
  const spoolDir = mkdtempSync(join(tmpdir(), 'callevt-e2e-spool-'));

  before(async () => {
    schema = await createTestSchema(pgUrl);
    // The spool is on (the default with PostgreSQL), in a file of this test's own.
    server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: schema.url, LOG_LEVEL: 'silent', SPOOL_FILE: join(spoolDir, 'spool.db') }));
    const transport = createHttpTransport(`${server.url}/callbacks/call-event`, { concurrency: CONCURRENCY });
    try {
      const run = await runSimulation(
        { ...DEFAULT_TRAFFIC, seed: 'e2e-pg', epoch: 1_800_000_000, duplicateShare: 0.08, conflictShare: 0.04, malformedShare: 0.03, legacyShare: 0.3 },
        transport.send,
        { concurrency: CONCURRENCY, ratePerSec: null, maxItems: ITEMS, durationMs: null, retries: 3, collectTruth: true },
      );
      assert.ok(run.truth);
      truth = run.truth;
    } finally {
      transport.close();
    }
  });

  after(async () => {
    await server?.close();
    await schema?.drop();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('when the stored calls are verified through the server, then every check passes', async () => {
    assert.ok(truth.totals.duplicates_sent > 0 && truth.totals.conflicts_sent > 0 && truth.totals.malformed > 0);
    const api = createHttpApiClient(server.url);
    try {
      const report = await verifyGroundTruth(truth, api, { exclusive: true, strict: true });
      assert.ok(report.ok, formatVerifyReport(report));
    } finally {
      await api.close();
    }
  });

  it('when verified through the database URL instead of the server, then the same checks pass', async () => {
    const api = await openDatabaseApi(schema.url);
    try {
      const report = await verifyGroundTruth(truth, api, { exclusive: true, strict: true });
      assert.ok(report.ok, formatVerifyReport(report));
    } finally {
      await api.close();
    }
  });
});
