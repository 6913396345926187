import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabaseApi } from '../../src/cli/commands/verify.js';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createHttpApiClient } from '../../src/simulate/api-client.js';
import { type GroundTruth, groundTruthLines } from '../../src/simulate/ground-truth.js';
import { createHttpTransport } from '../../src/simulate/http-transport.js';
import { runSimulation, type RunResult } from '../../src/simulate/run-simulation.js';
import { DEFAULT_TRAFFIC, type TrafficOptions } from '../../src/simulate/traffic-options.js';
import { formatVerifyReport } from '../../src/simulate/verify/format-verify-report.js';
import { verifyGroundTruth } from '../../src/simulate/verify/verify-ground-truth.js';
import { runCli } from '../fixtures/run-cli.js';
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
      const report = await verifyGroundTruth(truth, api, { exclusive: true, strict: true });
      assert.ok(report.ok, formatVerifyReport(report));
      const byName = new Map(report.checks.map((c) => [c.name, c.status]));
      assert.equal(byName.get('calls stored as expected'), 'pass');
      assert.equal(byName.get('conflicts recorded'), 'pass');
      assert.equal(byName.get('malformed requests quarantined'), 'pass');
      assert.equal(byName.get('calls in the window'), 'pass');
      assert.equal(byName.get('statistics summary'), 'pass');
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
      const report = await verifyGroundTruth(tampered, api, { exclusive: true });
      assert.equal(report.ok, false);
      const calls = report.checks.find((c) => c.name === 'calls stored as expected');
      assert.equal(calls?.status, 'fail');
      const text = calls?.problems.join('\n') ?? '';
      assert.match(text, new RegExp(`${first.sid}: duration expected ${first.fields.duration + 7}, stored ${first.fields.duration}`));
      assert.match(text, new RegExp(`${second.sid}: status.outcome expected`));
      assert.match(text, /00000000-0000-4000-8000-000000000000: not stored \(404\)/);
      const quarantine = report.checks.find((c) => c.name === 'malformed requests quarantined');
      assert.equal(quarantine?.status, 'fail');
      const extra = report.checks.find((c) => c.name === 'calls in the window');
      assert.ok(extra?.problems.includes(`${third.sid}: stored, but never sent as a valid call`), extra?.problems.join('\n'));
      const summary = report.checks.find((c) => c.name === 'statistics summary');
      assert.equal(summary?.status, 'fail');
      assert.ok(summary?.problems.some((p) => p.startsWith(`${second.expected.outcome === 'busy' ? 'failed' : 'busy'}: expected`)), summary?.problems.join('\n'));
      assert.match(formatVerifyReport(report), /RESULT: FAIL/);
    } finally {
      await api.close();
    }
  });

  it('when verified through the database file instead of the server, then the same checks pass', async () => {
    const api = await openDatabaseApi(db.file);
    try {
      const report = await verifyGroundTruth(truth, api, { exclusive: true });
      assert.ok(report.ok, formatVerifyReport(report));
      assert.equal(report.checks.find((c) => c.name === 'calls stored as expected')?.summary.startsWith(`${truth.calls.length}/`), true);
    } finally {
      await api.close();
    }
  });

  it('when `callevt verify` runs on a matching and on a tampered ground truth, then it exits 0 and 1', async () => {
    const good = join(dirname(db.file), 'truth.ndjson');
    const bad = join(dirname(db.file), 'tampered.ndjson');
    writeFileSync(good, [...groundTruthLines(truth)].join(''));
    const [first, ...rest] = truth.calls;
    assert.ok(first);
    const tampered = { ...truth, calls: [{ ...first, fields: { ...first.fields, to_user_id: 'someone-else' } }, ...rest] };
    writeFileSync(bad, [...groundTruthLines(tampered)].join(''));
    const ok = await runCli(['verify', '--expect', good, '--url', server.url], { API_TOKEN: '' });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /RESULT: PASS/);
    const failed = await runCli(['verify', '--expect', bad, '--url', server.url], { API_TOKEN: '' });
    assert.equal(failed.status, 1, failed.stdout + failed.stderr);
    assert.match(failed.stdout, new RegExp(`FAIL +calls stored as expected[^\n]*\n +- ${first.sid}: to_user_id expected "someone-else"`));
  });

  // Last: it adds calls to the database the tests above verify.
  it('when the database already held other calls in the window, then verify passes on what the run sent, counting the others in the statistics; --exclusive fails naming them', async () => {
    const transport = createHttpTransport(`${server.url}/callbacks/call-event`, { concurrency: CONCURRENCY });
    try {
      await runSimulation({ ...TRAFFIC, seed: 'other traffic', malformedShare: 0 }, transport.send, {
        concurrency: CONCURRENCY, ratePerSec: null, maxItems: 300, durationMs: null, retries: 3, collectTruth: false,
      });
    } finally {
      transport.close();
    }
    const api = createHttpApiClient(server.url);
    try {
      const shared = await verifyGroundTruth(truth, api);
      assert.ok(shared.ok, formatVerifyReport(shared));
      assert.match(shared.checks.find((c) => c.name === 'calls in the window')?.summary ?? '', / of this run and [1-9]\d* other calls .*not judged/);
      assert.match(shared.checks.find((c) => c.name === 'statistics summary')?.summary ?? '', /17\/17 figures match .*other calls as stored/);
      const owned = await verifyGroundTruth(truth, api, { exclusive: true });
      assert.equal(owned.ok, false);
      assert.match(owned.checks.find((c) => c.name === 'calls in the window')?.problems[0] ?? '', /: stored, but never sent as a valid call$/);
    } finally {
      await api.close();
    }
  });
});

