import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { PROMTOOL_MISSING, runPromtool, SKIP_WITHOUT_PROMTOOL } from '../fixtures/promtool.js';
import { repoRoot } from '../fixtures/repo-root.js';
import { markdownAnchors } from './markdown-anchors.js';

const root = repoRoot();
const rulesDir = join(root, 'deploy', 'prometheus');
const ruleFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.yml') && !f.endsWith('.test.yml'));
const testFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.test.yml'));

/** Each `- alert:` rule of a rules file as its own block of text. */
function alertBlocks(text: string): Array<{ name: string; block: string }> {
  return text.split(/^(?=\s*- alert: )/m).slice(1).map((block) => ({ name: /- alert: (\S+)/.exec(block)?.[1] ?? '', block }));
}

it('when promtool checks the alerting rules, then every file is valid', { skip: SKIP_WITHOUT_PROMTOOL }, () => {
  assert.equal(PROMTOOL_MISSING, null, PROMTOOL_MISSING ?? '');
  assert.ok(ruleFiles.length > 0);
  const run = runPromtool(['check', 'rules', ...ruleFiles], { cwd: rulesDir });
  assert.equal(run.status, 0, run.output);
});

it('when promtool runs the rules unit tests, then every alert fires where it should and stays quiet elsewhere', { skip: SKIP_WITHOUT_PROMTOOL }, () => {
  assert.equal(PROMTOOL_MISSING, null, PROMTOOL_MISSING ?? '');
  assert.ok(testFiles.length > 0);
  const run = runPromtool(['test', 'rules', ...testFiles], { cwd: rulesDir });
  assert.equal(run.status, 0, run.output);
  assert.match(run.output, /SUCCESS/);
});

it('when an alert is defined, then its unit tests include a case that fires it and one that does not', () => {
  const tests = testFiles.map((f) => readFileSync(join(rulesDir, f), 'utf8')).join('\n');
  for (const file of ruleFiles) {
    for (const { name } of alertBlocks(readFileSync(join(rulesDir, file), 'utf8'))) {
      const cases = tests.split(/^(?=\s*- eval_time: )/m).filter((c) => new RegExp(`alertname: ${name}\\s*\\n`).test(c));
      assert.ok(cases.some((c) => /exp_alerts: \[\]/.test(c)), `${name}: no case where it stays quiet`);
      assert.ok(cases.some((c) => /exp_alerts:\s*\n\s*- exp_labels:/.test(c)), `${name}: no case where it fires`);
    }
  }
});

it('when an alert is defined, then it waits (for:), has a severity and a runbook section that exists in docs/operations.md', () => {
  const anchors = markdownAnchors(readFileSync(join(root, 'docs', 'operations.md'), 'utf8'));
  let count = 0;
  for (const file of ruleFiles) {
    for (const { name, block } of alertBlocks(readFileSync(join(rulesDir, file), 'utf8'))) {
      count++;
      assert.match(block, /^\s+for: \d+[smh]$/m, `${name}: no for:`);
      assert.match(block, /^\s+severity: (critical|warning)$/m, `${name}: severity is not critical or warning`);
      const runbook = /^\s+runbook: docs\/operations\.md#(\S+)$/m.exec(block)?.[1];
      assert.ok(runbook !== undefined, `${name}: no runbook into docs/operations.md`);
      assert.ok(anchors.has(runbook), `${name}: docs/operations.md has no section #${runbook}`);
    }
  }
  assert.ok(count >= 6, `${count} alerts`);
});
