import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { SHUTDOWN_TIMEOUT_MS } from '../../src/cli/commands/serve.js';
import { repoRoot } from '../fixtures/repo-root.js';

/** The highest exposure score accepted from `systemd-analyze security` (measured: 1.4; "OK" ends at 4.9). */
const MAX_EXPOSURE = 2.0;

const root = repoRoot();
const unit = readFileSync(join(root, 'deploy', 'systemd', 'callevt.service'), 'utf8');

/** Why systemd-analyze cannot run here, or null when it can. */
function systemdAnalyzeUnavailable(): string | null {
  const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  return probe.error === undefined && probe.status === 0 ? null : 'systemd-analyze is missing (apt-get install -y systemd)';
}
const missing = systemdAnalyzeUnavailable();
const skip = missing !== null && process.env.REQUIRE_SYSTEMD !== '1' ? missing : false;

/** The values of one directive in the unit, in order. */
function directive(name: string): string[] {
  return [...unit.matchAll(new RegExp(`^${name}=(.*)$`, 'gm'))].map((m) => m[1] ?? '');
}

/** Runs systemd-analyze on a copy of the unit whose ExecStart runs this node and this checkout's bin/callevt.js. */
function analyze(args: string[]): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-unit-'));
  try {
    const file = join(dir, 'callevt.service');
    writeFileSync(file, unit.replace(/^ExecStart=.*$/m, `ExecStart=${process.execPath} ${join(root, 'bin', 'callevt.js')} serve`));
    const run = spawnSync('systemd-analyze', [...args, file], { encoding: 'utf8' });
    return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

it('when systemd-analyze verifies the unit, then it finds nothing', { skip }, () => {
  assert.equal(missing, null, missing ?? '');
  const run = analyze(['verify']);
  assert.equal(run.status, 0, run.output);
  assert.doesNotMatch(run.output, /callevt\.service/);
});

it(`when systemd-analyze rates the unit's sandbox, then its exposure is at most ${MAX_EXPOSURE} (OK)`, { skip }, () => {
  assert.equal(missing, null, missing ?? '');
  const run = analyze(['security', '--offline=yes']);
  const score = /Overall exposure level for callevt\.service: (\d+\.\d+) (\S+)/.exec(run.output);
  assert.ok(score !== null, run.output);
  assert.ok(Number(score[1]) <= MAX_EXPOSURE, `exposure ${score[1]} ${score[2]}`);
  assert.equal(score[2], 'OK');
});

it('when the unit is read, then it runs as its own user with state in /var/lib/callevt, restarts on failure and waits out the graceful shutdown', () => {
  assert.deepEqual(directive('DynamicUser'), ['yes']);
  assert.deepEqual(directive('StateDirectory'), ['callevt']);
  assert.deepEqual(directive('Environment').filter((e) => e.startsWith('DATABASE_URL=')), ['DATABASE_URL=/var/lib/callevt/callevt.db']);
  assert.deepEqual(directive('Restart'), ['on-failure']);
  const stopSeconds = Number(/^(\d+)s$/.exec(directive('TimeoutStopSec')[0] ?? '')?.[1]);
  assert.ok(stopSeconds > SHUTDOWN_TIMEOUT_MS / 1000, `TimeoutStopSec=${stopSeconds}s is not longer than the ${SHUTDOWN_TIMEOUT_MS} ms shutdown`);
  assert.deepEqual(directive('ExecStart'), ['/usr/bin/node /opt/callevt/bin/callevt.js serve']);
  for (const name of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp', 'PrivateDevices']) assert.deepEqual(directive(name), ['yes'], name);
  assert.deepEqual(directive('ProtectSystem'), ['strict']);
  assert.deepEqual(directive('SystemCallFilter')[0], '@system-service');
  // V8's JIT writes executable pages: with MemoryDenyWriteExecute node cannot run.
  assert.deepEqual(directive('MemoryDenyWriteExecute'), []);
});
