import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseGroupGroundTruth } from '../../simulate/group/group-ground-truth.js';
import { DEFAULT_GROUP_TRAFFIC } from '../../simulate/group/group-traffic-options.js';
import { startRecordingGroupEndpoint } from '../../../test/fixtures/recording-group-endpoint.js';
import { runCli } from '../../../test/fixtures/run-cli.js';

const SECRET = 'group-secret-0123456789';

describe('callevt simulate --group and verify --group, against a recording server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-simulate-group-'));
  let endpoint: Awaited<ReturnType<typeof startRecordingGroupEndpoint>>;
  before(async () => {
    endpoint = await startRecordingGroupEndpoint({ sessionDeadlineMs: DEFAULT_GROUP_TRAFFIC.endDeadlineMs });
  });
  after(async () => {
    await endpoint.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when --group and a secret are given, then every event reaches the secret group path, the secret is not printed, and the report and the truth count what arrived', async () => {
    const file = join(dir, 'out', 'group.ndjson');
    const run = await runCli(
      ['simulate', '--group', '--rooms', '6', '--seed', 'cli', '--epoch', '2026-12-01T12:00:00Z', '--duplicate-share', '0.3', '--quiet', '--expect', file],
      { CALLEVT_URL: endpoint.url, CALLBACK_SECRET: SECRET },
    );
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stderr, new RegExp(`6 rooms in \\d+ requests, as fast as possible → ${endpoint.url}/callbacks/\\[secret\\]/group-call-event`));
    assert.ok(!`${run.stdout}${run.stderr}`.includes(SECRET));
    assert.ok(endpoint.received.length > 6 && endpoint.received.every((r) => r.path === `/callbacks/${SECRET}/group-call-event`));
    assert.match(run.stdout, new RegExp(`by status +200 ${endpoint.received.length}\\n`));
    const truth = parseGroupGroundTruth(readFileSync(file, 'utf8'));
    assert.equal(truth.rooms.length, 6);
    assert.equal(truth.totals.requests, endpoint.received.length);
    assert.equal(truth.totals.duplicates_sent, endpoint.received.length - new Set(endpoint.received.map((r) => r.key)).size);
    assert.equal(truth.meta.epoch, Date.parse('2026-12-01T12:00:00Z') / 1000);

    const verified = await runCli(['verify', '--group', '--strict', '--url', endpoint.url, '--expect', file]);
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /PASS +group sessions stored as expected +6\/6 rooms match/);
    const withoutGroup = await runCli(['verify', '--url', endpoint.url, '--expect', file]);
    assert.equal(withoutGroup.status, 1);
    assert.match(withoutGroup.stderr, /is the truth of a group run: add --group/);
  });

  it('when a group option is given without --group, or a 1-to-1 option with it, then simulate refuses before sending', async () => {
    const before = endpoint.received.length;
    const without = await runCli(['simulate', '--url', endpoint.url, '--rooms', '5', '--kick-share', '0.1']);
    assert.equal(without.status, 1);
    assert.match(without.stderr, /--rooms, --kick-share need --group/);
    const mixed = await runCli(['simulate', '--url', endpoint.url, '--group', '--calls', '5', '--users', '10']);
    assert.equal(mixed.status, 1);
    assert.match(mixed.stderr, /--calls, --users shape 1-to-1 calls only: not with --group/);
    const lifecycleOnly = await runCli(['simulate', '--url', endpoint.url, '--group', '--lost-end-share', '0.1']);
    assert.equal(lifecycleOnly.status, 1);
    assert.match(lifecycleOnly.stderr, /--lost-end-share needs --lifecycle/);
    const tooMany = await runCli(['simulate', '--url', endpoint.url, '--group', '--refused-share', '0.6', '--timeout-share', '0.6']);
    assert.equal(tooMany.status, 1);
    assert.match(tooMany.stderr, /add up to 1\.2, more than 1/);
    assert.equal(endpoint.received.length, before);
  });
});
