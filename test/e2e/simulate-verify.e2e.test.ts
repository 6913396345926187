import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createHttpApiClient } from '../../src/simulate/api-client.js';
import type { GroundTruth } from '../../src/simulate/ground-truth.js';
import { createHttpTransport } from '../../src/simulate/http-transport.js';
import { runSimulation, type RunResult } from '../../src/simulate/run-simulation.js';
import { DEFAULT_TRAFFIC, type TrafficOptions } from '../../src/simulate/traffic-options.js';
import { formatVerifyReport } from '../../src/simulate/verify/format-verify-report.js';
import { verifyGroundTruth } from '../../src/simulate/verify/verify-ground-truth.js';
import { tempDatabaseFile } from '../fixtures/test-app.js';

const TRAFFIC: TrafficOptions = {
  ...DEFAULT_TRAFFIC,
  seed: 'e2e',
  epoch: 1_800_000_000,
  legacyShare: 0.3,
  duplicateShare: 0.08,
  conflictShare: 0.04,
  lateShare: 0.05,
  malformedShare: 0.03,
};
const ITEMS = 3_000;
/** Enough requests in flight for callevt's group commit to batch them. */
const CONCURRENCY = 32;

describe('simulate → callevt on SQLite → verify', () => {
  const db = tempDatabaseFile();
  let server: RunningServer;
  let run: RunResult;
  let truth: GroundTruth;

  before(async () => {
    server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: db.file, LOG_LEVEL: 'silent' }));
    const transport = createHttpTransport(`${server.url}/callbacks/call-event`, { concurrency: CONCURRENCY });
    try {
      run = await runSimulation(TRAFFIC, transport.send, {
        concurrency: CONCURRENCY, ratePerSec: null, maxItems: ITEMS, durationMs: null, retries: 3, collectTruth: true,
      });
    } finally {
      transport.close();
    }
    assert.ok(run.truth);
    truth = run.truth;
  });

  after(async () => {
    await server?.close();
    db.cleanup();
  });

  it('when a few thousand calls with duplicates, conflicts and malformed requests are sent, then callevt answers each as expected', () => {
    const t = truth.totals;
    assert.equal(t.calls + t.malformed, ITEMS);
    assert.ok(t.duplicates_sent > 100 && t.conflicts_sent > 50 && t.malformed > 40, JSON.stringify(t));
    assert.equal(run.stats.requests, t.requests);
    assert.equal(run.stats.unexpected, 0);
    assert.equal(run.stats.byResult.get('accepted'), t.calls);
    assert.equal(run.stats.byResult.get('duplicate'), t.duplicates_sent);
    assert.equal(run.stats.byResult.get('conflict'), t.conflicts_sent);
    assert.equal(run.stats.byResult.get('invalid_callback'), t.malformed);
  });

  it('when the stored calls are verified against the ground truth, then every check passes', async () => {
    const api = createHttpApiClient(server.url);
    try {
      const report = await verifyGroundTruth(truth, api, { exclusive: true });
      assert.ok(report.ok, formatVerifyReport(report));
      const byName = new Map(report.checks.map((c) => [c.name, c.status]));
      assert.equal(byName.get('calls stored as expected'), 'pass');
      assert.equal(byName.get('conflicts recorded'), 'pass');
      assert.equal(byName.get('malformed requests quarantined'), 'pass');
    } finally {
      await api.close();
    }
  });

  it('when the ground truth is tampered with, then verify fails and names each mismatch', async () => {
    const [first, second, third, ...rest] = truth.calls;
    assert.ok(first && second && third);
    const tampered: GroundTruth = {
      ...truth,
      calls: [
        { ...first, fields: { ...first.fields, duration: first.fields.duration + 7 } },
        { ...second, expected: { ...second.expected, outcome: second.expected.outcome === 'busy' ? 'failed' : 'busy' } },
        { ...third, sid: '00000000-0000-4000-8000-000000000000', fields: { ...third.fields, sid: '00000000-0000-4000-8000-000000000000' } },
        ...rest,
      ],
      malformed: [...truth.malformed, { kind: 'malformed', query: 'sid=never-sent', defect: 'short_sid', fields: ['sid'], status: 400 }],
    };
    const api = createHttpApiClient(server.url);
    try {
      const report = await verifyGroundTruth(tampered, api);
      assert.equal(report.ok, false);
      const calls = report.checks.find((c) => c.name === 'calls stored as expected');
      assert.equal(calls?.status, 'fail');
      const text = calls?.problems.join('\n') ?? '';
      assert.match(text, new RegExp(`${first.sid}: duration expected ${first.fields.duration + 7}, stored ${first.fields.duration}`));
      assert.match(text, new RegExp(`${second.sid}: status.outcome expected`));
      assert.match(text, /00000000-0000-4000-8000-000000000000: not stored \(404\)/);
      const quarantine = report.checks.find((c) => c.name === 'malformed requests quarantined');
      assert.equal(quarantine?.status, 'fail');
      assert.match(formatVerifyReport(report), /RESULT: FAIL/);
    } finally {
      await api.close();
    }
  });
});
