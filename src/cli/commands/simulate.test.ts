import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../config/load-config.js';
import { type RunningServer, startServer } from '../../server.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { runCli } from '../../../test/fixtures/run-cli.js';

const SECRET = 'simulate-secret-0123456789';

describe('callevt simulate, pointed at a server', () => {
  const db = tempDatabaseFile();
  const dir = mkdtempSync(join(tmpdir(), 'callevt-simulate-'));
  let server: RunningServer;
  before(async () => {
    server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: db.file, CALLBACK_SECRET: SECRET, LOG_LEVEL: 'silent' }));
  });
  after(async () => {
    await server.close();
    db.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when --url is the base URL and CALLBACK_SECRET is set, then callbacks reach the secret path, the secret is not printed, and 1 call reads "1 call"', async () => {
    const truth = join(dir, 'out', 'truth.ndjson');
    const run = await runCli(['simulate', '--url', server.url, '--calls', '1', '--malformed-share', '0', '--quiet', '--expect', truth], { CALLBACK_SECRET: SECRET });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stderr, new RegExp(`1 call, as fast as possible → ${server.url}/callbacks/\\[secret\\]/call-event`));
    assert.ok(!`${run.stdout}${run.stderr}`.includes(SECRET));
    assert.match(run.stdout, /answers +accepted 1\b/);
    assert.match(run.stdout, /ground truth .*: 1 call, /);
    assert.match(readFileSync(truth, 'utf8'), /"kind":"totals","calls":1,/);
  });

  it('when --url is a callback URL, then it is refused: --url is the base URL everywhere', async () => {
    const run = await runCli(['simulate', '--url', `${server.url}/callbacks/call-event`, '--calls', '1']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /--url is callevt's base URL/);
  });

  it('when nothing listens at --url, then it fails at once naming the URL and ECONNREFUSED, not with a count of unanswered requests', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const run = await runCli(['simulate', '--url', url, '--calls', '5']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, new RegExp(`cannot reach callevt at ${url}: .*ECONNREFUSED`));
    assert.doesNotMatch(run.stdout, /no answer/);
  });

  it('when --url answers with a web page, then it is an error, not a run of 2xx answers', async () => {
    const page = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'));
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    try {
      const run = await runCli(['simulate', '--url', `http://127.0.0.1:${(page.address() as AddressInfo).port}`, '--calls', '5']);
      assert.equal(run.status, 1);
      assert.match(run.stderr, /not callevt's health answer/);
    } finally {
      page.close();
    }
  });
});
