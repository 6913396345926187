#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with Node's own test runner.
// Node 20's runner takes no glob, so the files are listed here.
//
// It closes with one plain line, `tests: N passed, N failed, N skipped` (todo tests count
// as skipped, and so does a skipped suite, which Node's summary leaves out).
// When a REQUIRE_* variable is set (REQUIRE_PG=1, REQUIRE_BROWSER=1 ...) or CI=true, a
// skipped test fails the run: in CI a skip would hide exactly what the test should check.
//
// Files run one at a time (node:test's default on two cores), except the few that spend
// their time waiting (WAITING_TESTS): those run in a second runner beside the first, and
// their report is printed after its own.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

/** The variables that make a skipped test fail the run, as set in this environment. */
function strictBecause(env) {
  const set = Object.keys(env).filter((key) => key.startsWith('REQUIRE_') && !['', '0', 'false'].includes(env[key] ?? ''));
  if (env.CI === 'true' || env.CI === '1') set.push('CI');
  return set;
}

/**
 * Test files that mostly wait on timers, not the CPU: the load-balancer keep-alive test idles
 * 61 s on purpose (past the 60 s idle timeout of common load balancers), a sixth of the
 * suite's time on this project's two-core CI. TESTS_BESIDE (comma-separated path
 * substrings) replaces the list; empty runs everything in one runner.
 */
const WAITING_TESTS = ['test/load-balancer/keep-alive.test.js'];

const only = process.argv.slice(2);
const files = findTests('dist').filter((f) => only.length === 0 || only.some((o) => f.includes(o))).sort();
if (files.length === 0) {
  console.error('no test files found under dist/ (did the build run?)');
  process.exit(1);
}

const besidePatterns = process.env.TESTS_BESIDE === undefined ? WAITING_TESTS : process.env.TESTS_BESIDE.split(',').filter((p) => p !== '');
const beside = files.filter((f) => besidePatterns.some((p) => f.includes(p)));
const main = files.filter((f) => !beside.includes(f));

const tallyDir = mkdtempSync(join(tmpdir(), 'callevt-tests-'));
const reporter = pathToFileURL(fileURLToPath(new URL('./test-tally-reporter.js', import.meta.url))).href;

/**
 * One node:test runner over `group`: its spec report goes to this process's stdout, or, with
 * `captured`, is kept and returned; its tally goes to a file of its own.
 */
function runGroup(group, name, captured) {
  const tallyFile = join(tallyDir, `${name}.ndjson`);
  const child = spawn(
    process.execPath,
    ['--test', '--test-reporter=spec', '--test-reporter-destination=stdout', `--test-reporter=${reporter}`, `--test-reporter-destination=${tallyFile}`, ...group],
    { stdio: ['ignore', captured ? 'pipe' : 'inherit', 'inherit'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  return new Promise((resolve) => {
    child.once('close', (status) => resolve({ status: status ?? 1, output, tallyFile }));
  });
}

const runs = await Promise.all([
  ...(main.length > 0 ? [runGroup(main, 'main', false)] : []),
  ...(beside.length > 0 ? [runGroup(beside, 'beside', main.length > 0)] : []),
]);
const lines = [];
for (const run of runs) {
  if (run.output !== '') process.stdout.write(`\n# beside the others: ${beside.map((f) => relative(process.cwd(), f)).join(', ')}\n${run.output}`);
  try {
    lines.push(...readFileSync(run.tallyFile, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line)));
  } catch {
    // No tally: the runner died before reporting; its status and output say why.
  }
}
rmSync(tallyDir, { recursive: true, force: true });

const tests = lines.filter((t) => !t.suite);
const passed = tests.filter((t) => t.outcome === 'passed').length;
const failed = tests.filter((t) => t.outcome === 'failed').length;
const skipped = lines.filter((t) => t.outcome === 'skipped' || t.outcome === 'todo');

console.log('');
for (const t of skipped) {
  const what = `${t.outcome === 'todo' ? 'todo' : 'skipped'}${t.suite ? ' suite' : ''}`;
  console.log(`${what}: ${t.file === '' ? '' : `${relative(process.cwd(), t.file)} > `}${t.name}${t.reason === '' ? '' : ` (${t.reason})`}`);
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped.length} skipped`);

const strict = strictBecause(process.env);
let status = runs.find((run) => run.status !== 0)?.status ?? 0;
if (status === 0 && passed + failed === 0) {
  console.error('FAIL: no test ran');
  status = 1;
}
if (status === 0 && strict.length > 0 && skipped.length > 0) {
  console.error(`FAIL: ${skipped.length} skipped with ${strict.join(', ')} set; every test must run here (listed above)`);
  status = 1;
}
process.exit(status);
