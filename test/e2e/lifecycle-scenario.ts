import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createHttpApiClient } from '../../src/simulate/api-client.js';
import type { GroundTruth, TruthLife } from '../../src/simulate/ground-truth.js';
import { createHttpTransport } from '../../src/simulate/http-transport.js';
import { choosePushHandling } from '../../src/simulate/lifecycle/push-handler-choice.js';
import { type PushHandler, startPushHandler } from '../../src/simulate/lifecycle/push-handler-server.js';
import { runSimulation, type RunResult } from '../../src/simulate/run-simulation.js';
import { DEFAULT_TRAFFIC, type TrafficOptions } from '../../src/simulate/traffic-options.js';
import { formatVerifyReport } from '../../src/simulate/verify/format-verify-report.js';
import { type VerifyReport, verifyGroundTruth } from '../../src/simulate/verify/verify-ground-truth.js';

/** callevt gives up on the stand-in handler after this long; the handler stalls longer. */
const RELAY_TIMEOUT = '1500ms';
const STALL_MS = 3_000;
/** A short CALL_EVENT_DEADLINE (the configuration allows 1 minute at least: tests set it directly). */
export const TEST_END_DEADLINE_MS = 2_500;
const PUSH_SHARES = { refuseShare: 0.08, stallShare: 0.04 };
const CONCURRENCY = 32;

/** The whole sequence, with every failure the issue names: lost ends, undeliverable Notifies, a handler refusing and stalling. */
export function lifecycleTraffic(seed: string): TrafficOptions {
  return {
    ...DEFAULT_TRAFFIC, seed, epoch: 1_800_000_000, duplicateShare: 0.05, conflictShare: 0.02, malformedShare: 0.01, lateShare: 0.03,
    lifecycle: { lostEndShare: 0.06, undeliverableNotifyShare: 0.05, agentCallStatusShare: 0.25, endAfterMs: 20, pushHandler: PUSH_SHARES },
  };
}

export interface LifecycleRun {
  server: RunningServer;
  handler: PushHandler;
  run: RunResult;
  truth: GroundTruth;
  close(): Promise<void>;
}

/**
 * Starts the stand-in push handler and a real callevt relaying Notifies to it (with a
 * short relay timeout and end deadline), and simulates `items` calls' whole sequences.
 */
export async function runLifecycleScenario(databaseUrl: string, items: number, seed: string, env: Record<string, string> = {}): Promise<LifecycleRun> {
  const handler = await startPushHandler({ port: 0, stallMs: STALL_MS, choose: (sid) => choosePushHandling(seed, sid, PUSH_SHARES) });
  const config = loadConfig({ PORT: '0', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', NOTIFY_RELAY_URL: handler.url, NOTIFY_RELAY_TIMEOUT: RELAY_TIMEOUT, ...env });
  const server = await startServer({ ...config, callEventDeadlineMs: TEST_END_DEADLINE_MS });
  const transports = (['call-event', 'notify', 'agent-call-status'] as const).map((c) => createHttpTransport(`${server.url}/callbacks/${c}`, { concurrency: CONCURRENCY }));
  const [events, notify, acs] = transports as [typeof transports[0], typeof transports[0], typeof transports[0]];
  try {
    const run = await runSimulation(lifecycleTraffic(seed), events.send, {
      concurrency: CONCURRENCY, ratePerSec: null, maxItems: items, durationMs: null, retries: 3, collectTruth: true,
      lifecycleSend: { notify: notify.send, agentCallStatus: acs.send },
    });
    assert.ok(run.truth);
    return {
      server, handler, run, truth: run.truth,
      async close() {
        await server.close();
        await handler.close();
      },
    };
  } finally {
    for (const t of transports) t.close();
  }
}

/** Verifies through the server's API; lost ends become due within a few seconds. */
export async function verifyThroughServer(run: LifecycleRun, truth: GroundTruth = run.truth): Promise<VerifyReport> {
  const api = createHttpApiClient(run.server.url);
  try {
    return await verifyGroundTruth(truth, api, { exclusive: true, endMissingWaitMs: 30_000 });
  } finally {
    await api.close();
  }
}

/** The checks of a lifecycle run, all passing; the figures pass, or are skipped on a server without the route. */
export function assertLifecyclePasses(report: VerifyReport): void {
  const text = formatVerifyReport(report);
  // Every check passes, the lifecycle figures (GET /api/stats/lifecycle) against the truth included.
  for (const check of report.checks) assert.equal(check.status, 'pass', `${check.name}\n${text}`);
  assert.ok(report.checks.some((check) => check.name === 'lifecycle figures'), text);
  assert.ok(report.ok, text);
}

/** The run holds every case the issue asks for, so that passing means something. */
export function assertEveryCaseHappened(run: LifecycleRun): void {
  const lives = run.truth.lives;
  const count = (f: (l: TruthLife) => boolean) => lives.filter(f).length;
  const cases = {
    lost: count((l) => !l.end.sent && l.notify.status === 200),
    undeliverable: count((l) => l.notify.delivery === 'undeliverable' && l.end.sent),
    refused: count((l) => l.notify.expected_relay === 'http_error'),
    stalled: count((l) => l.notify.expected_relay === 'timeout'),
    acsFail: count((l) => l.agent_call_status?.result === 'FAIL'),
    acsSuccess: count((l) => l.agent_call_status?.result === 'SUCCESS'),
    late: count((l) => l.late),
  };
  for (const [name, n] of Object.entries(cases)) assert.ok(n >= 2, `too few ${name} calls: ${JSON.stringify(cases)}`);
  assert.ok(run.truth.totals.duplicates_sent >= 5 && run.truth.totals.conflicts_sent >= 2, JSON.stringify(run.truth.totals));
  assert.equal(run.run.stats.unexpected, 0);
  assert.equal(run.handler.counts.refuse, cases.refused);
  assert.equal(run.handler.counts.stall, cases.stalled);
  assert.equal(run.handler.counts.ccParamMismatch, 0);
}

/** Two sids to tamper with: one stored Notify to remove, one relay attempt (refused by the handler) to flip to ok. */
export function tamperTargets(truth: GroundTruth): { removedNotify: string; flippedRelay: string } {
  const removed = truth.lives.find((l) => l.notify.expected_relay === 'ok' && l.end.sent && l.end.acknowledged);
  const flipped = truth.lives.find((l) => l.notify.expected_relay === 'http_error' && l.end.sent && l.end.acknowledged);
  assert.ok(removed && flipped);
  return { removedNotify: removed.sid, flippedRelay: flipped.sid };
}

/** Verify fails on a tampered database, naming both sids. */
export function assertTamperFound(report: VerifyReport, targets: { removedNotify: string; flippedRelay: string }): void {
  const text = formatVerifyReport(report);
  assert.equal(report.ok, false, text);
  const problems = (name: string) => report.checks.find((c) => c.name === name)?.problems.join('\n') ?? '';
  assert.match(problems('notifies stored'), new RegExp(`${targets.removedNotify}: the Notify answered 200 is not stored`), text);
  assert.match(problems('notify relays'), new RegExp(`${targets.flippedRelay}: relay attempts \\["ok"\\], expected \\["http_error"\\]`), text);
  assert.match(problems('push diagnosis'), new RegExp(`${targets.flippedRelay}: push diagnosis "other", expected "push_handler"`), text);
}
