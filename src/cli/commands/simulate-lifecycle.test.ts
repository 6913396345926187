import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../config/load-config.js';
import { type RunningServer, startServer } from '../../server.js';
import { runCli } from '../../../test/fixtures/run-cli.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { readLifecycleOptions } from './simulate-lifecycle.js';

/** A loopback port that was free a moment ago, for the stand-in push handler. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('callevt simulate --lifecycle --push-handler, then callevt verify', () => {
  const db = tempDatabaseFile();
  const dir = mkdtempSync(join(tmpdir(), 'callevt-simulate-life-'));
  let server: RunningServer;
  let port: number;
  before(async () => {
    port = await freePort();
    const config = loadConfig({ PORT: '0', DATABASE_URL: db.file, LOG_LEVEL: 'silent', NOTIFY_RELAY_URL: `http://127.0.0.1:${port}/notify`, NOTIFY_RELAY_TIMEOUT: '1s' });
    server = await startServer({ ...config, callEventDeadlineMs: 2_000 });
  });
  after(async () => {
    await server.close();
    db.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the CLI runs the whole sequence with a stand-in handler, then it reports what it sent and verify passes after waiting for the lost ends', async () => {
    const truth = join(dir, 'life.ndjson');
    const run = await runCli([
      'simulate', '--url', server.url, '--calls', '200', '--seed', 'cli-life', '--quiet', '--expect', truth, '--malformed-share', '0',
      '--lifecycle', '--lost-end-share', '0.1', '--undeliverable-notify-share', '0.05', '--agent-call-status-share', '0.2', '--end-after', '10ms',
      '--push-handler', String(port), '--push-refuse-share', '0.1', '--push-stall-share', '0.05', '--push-stall', '2s',
    ], { API_TOKEN: '' }, 60_000);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stderr, new RegExp(`stand-in push handler on http://127.0.0.1:${port}/notify .*NOTIFY_RELAY_URL=http://127.0.0.1:${port}/notify`));
    assert.match(run.stdout, /lifecycle +\d+ Notifies sent, \d+ undeliverable, \d+ Agent Call Statuses, \d+ end events lost/);
    assert.match(run.stdout, /push handler +took \d+, refused [1-9]\d*, stalled [1-9]\d*\n/);
    assert.match(readFileSync(truth, 'utf8'), /"kind":"life"/);
    const verify = await runCli(['verify', '--expect', truth, '--url', server.url, '--exclusive', '--wait', '30s'], { API_TOKEN: '' }, 60_000);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /PASS +end events and end_missing +200\/200 calls in the expected state, [1-9]\d* lost end events/);
    assert.match(verify.stdout, /PASS +notify relays .* relay verdicts as the stand-in handler chose/);
  });
});

describe('the lifecycle options', () => {
  it('when a lifecycle option comes without --lifecycle, then it is refused naming the option', () => {
    assert.throws(() => readLifecycleOptions({ lostEndShare: '0.1', pushHandler: '9000' }), /--lost-end-share, --push-handler need --lifecycle/);
  });

  it('when a push handler share comes without --push-handler, or a share is out of range, then it is refused', () => {
    assert.throws(() => readLifecycleOptions({ lifecycle: true, pushStall: '2s' }), /need --push-handler/);
    assert.throws(() => readLifecycleOptions({ lifecycle: true, lostEndShare: '1.5' }), /--lost-end-share must be a fraction/);
  });

  it('when only --lifecycle is given, then the defaults apply, without a push handler; --end-after 0 sends the end at once', () => {
    const plan = readLifecycleOptions({ lifecycle: true, endAfter: '0' });
    assert.equal(plan?.pushHandler, null);
    assert.equal(plan?.options.endAfterMs, 0);
    assert.equal(plan?.options.lostEndShare, 0.02);
    assert.equal(readLifecycleOptions({}), null);
  });
});
