import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/** scripts/run-tests.js of this package (from test/scripts with tsx, or dist/test/scripts compiled). */
function runnerPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'scripts', 'run-tests.js'))) {
    if (dirname(dir) === dir) throw new Error('scripts/run-tests.js not found');
    dir = dirname(dir);
  }
  return join(dir, 'scripts', 'run-tests.js');
}

/**
 * Runs the test runner on one compiled test file with exactly `env` for its switches
 * (the REQUIRE_* and CI of this process are left out, and so is node:test's own context).
 */
function runOn(testSource: string | Record<string, string>, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-runner-'));
  try {
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
    const sources = typeof testSource === 'string' ? { 'fixture.test.js': testSource } : testSource;
    for (const [name, source] of Object.entries(sources)) writeFileSync(join(dir, 'dist', name), `import { describe, it } from 'node:test';\n${source}\n`);
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REQUIRE_') && key !== 'CI' && key !== 'NODE_TEST_CONTEXT'));
    const run = spawnSync(process.execPath, [runnerPath()], { cwd: dir, env: { ...inherited, ...env }, encoding: 'utf8' });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PASSING = "it('one', () => {}); it('two', () => {});";

describe('scripts/run-tests.js', () => {
  it('when REQUIRE_PG=1 and a test skips itself, then the run fails, names the test and counts it on the closing line', () => {
    const run = runOn(`${PASSING} it('needs a database', (t) => { t.skip('no database here'); });`, { REQUIRE_PG: '1' });
    assert.notEqual(run.status, 0);
    assert.match(run.stdout, /^skipped: dist\/fixture\.test\.js > needs a database \(no database here\)$/m);
    assert.match(run.stdout, /^tests: 2 passed, 0 failed, 1 skipped$/m);
    assert.match(run.stderr, /FAIL: 1 skipped with REQUIRE_PG set/);
  });

  it('when CI=true and a whole suite is skipped (which node:test leaves out of its own count), then the run fails and names the suite', () => {
    const run = runOn(`${PASSING} describe('in a browser', { skip: 'no browser' }, () => { it('draws', () => {}); });`, { CI: 'true' });
    assert.notEqual(run.status, 0);
    assert.match(run.stdout, /ℹ skipped 0/, "node's own summary misses it");
    assert.match(run.stdout, /^skipped suite: dist\/fixture\.test\.js > in a browser \(no browser\)$/m);
    assert.match(run.stdout, /^tests: 2 passed, 0 failed, 1 skipped$/m);
  });

  it('when REQUIRE_BROWSER=1 and a test is marked todo, then the run fails', () => {
    const run = runOn(`${PASSING} it('later', { todo: 'not written' }, () => {});`, { REQUIRE_BROWSER: '1' });
    assert.notEqual(run.status, 0);
    assert.match(run.stdout, /^todo: dist\/fixture\.test\.js > later \(not written\)$/m);
  });

  it('when no REQUIRE_* nor CI is set and a test skips, then the run passes and still lists the skip', () => {
    const run = runOn(`${PASSING} it('needs a database', { skip: 'no database here' }, () => {});`, {});
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^skipped: dist\/fixture\.test\.js > needs a database/m);
    assert.match(run.stdout, /^tests: 2 passed, 0 failed, 1 skipped$/m);
  });

  it('when REQUIRE_PG=1 and every test runs and passes, then the run passes with 0 skipped', () => {
    const run = runOn(PASSING, { REQUIRE_PG: '1', CI: 'true' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^tests: 2 passed, 0 failed, 0 skipped$/m);
  });

  it('when a test fails, then the run fails and the closing line counts it', () => {
    const run = runOn(`${PASSING} it('breaks', () => { throw new Error('broken'); });`, {});
    assert.notEqual(run.status, 0);
    assert.match(run.stdout, /^tests: 2 passed, 1 failed, 0 skipped$/m);
  });

  it('when files are named to run beside the others (TESTS_BESIDE), then both runners run, their counts add up, and a failure beside fails the run', () => {
    const run = runOn({
      'first.test.js': PASSING,
      'waits.test.js': "it('waits', async () => { await new Promise((r) => setTimeout(r, 50)); }); it('breaks beside', () => { throw new Error('broken'); });",
    }, { TESTS_BESIDE: 'waits.test' });
    assert.notEqual(run.status, 0);
    assert.match(run.stdout, /^# beside the others: dist\/waits\.test\.js$/m);
    assert.match(run.stdout, /breaks beside/);
    assert.match(run.stdout, /^tests: 3 passed, 1 failed, 0 skipped$/m);
  });

  it('when a test skips in the runner beside the others under REQUIRE_PG=1, then the run fails and names it', () => {
    const run = runOn({ 'first.test.js': PASSING, 'waits.test.js': "it('needs a database', (t) => { t.skip('no database'); });" }, { TESTS_BESIDE: 'waits.test', REQUIRE_PG: '1' });
    assert.notEqual(run.status, 0);
    assert.match(run.stdout, /^skipped: dist\/waits\.test\.js > needs a database \(no database\)$/m);
    assert.match(run.stdout, /^tests: 2 passed, 0 failed, 1 skipped$/m);
  });
});
