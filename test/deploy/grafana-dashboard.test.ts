import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { createMetrics } from '../../src/http/metrics.js';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { PROMTOOL_MISSING, runPromtool, SKIP_WITHOUT_PROMTOOL } from '../fixtures/promtool.js';
import { repoRoot } from '../fixtures/repo-root.js';
import { createTestApp } from '../fixtures/test-app.js';

interface Panel {
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Array<{ expr?: string; datasource?: { type?: string; uid?: string } }>;
  panels?: Panel[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: unknown }> };
}

/** Grafana's reference to the dashboard's data source variable, as it appears in the JSON. */
const DATASOURCE_VARIABLE = ['$', '{datasource}'].join('');
/** Grafana's rate-interval and instance variables. */
const RATE_INTERVAL = '$__rate_interval';
const INSTANCE_VARIABLES = [['$', '{instance}'].join(''), '$instance'];

const dashboard = JSON.parse(readFileSync(join(repoRoot(), 'deploy', 'grafana', 'callevt.json'), 'utf8')) as Dashboard;
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
const expressions = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));

/** An expression with Grafana's variables replaced by values Prometheus accepts. */
function withVariablesReplaced(expr: string): string {
  return INSTANCE_VARIABLES.reduce((e, variable) => e.replaceAll(variable, '.*'), expr.replaceAll(RATE_INTERVAL, '5m'));
}

/** The metric names an expression reads (label matchers and strings left out). */
function metricNamesOf(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, '');
  return [...bare.matchAll(/\b(?:callevt|process|nodejs)_[a-z0-9_]+\b/g)].map((m) => m[0]);
}

/** The sample names (with `_bucket`, `_sum`, `_count` for histograms) of an exposition. */
function sampleNamesOf(exposition: string): Set<string> {
  return new Set(labelsBySampleName(exposition).keys());
}

/** Each sample name of an exposition with the label names its samples carry. */
function labelsBySampleName(exposition: string): Map<string, Set<string>> {
  const labels = new Map<string, Set<string>>();
  for (const line of exposition.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? '';
    const names = labels.get(name) ?? new Set<string>();
    for (const m of (/^[^{ ]*\{([^}]*)\}/.exec(line)?.[1] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) names.add(m[1] ?? '');
    labels.set(name, names);
  }
  return labels;
}

/** Labels Prometheus adds at scrape time: an expression may read them on any metric. */
const TARGET_LABELS = new Set(['instance', 'job']);

/**
 * The label names an expression reads that none of its metrics carries: those in the
 * matchers of a selector (checked against that selector's metric) and those of `by (...)`
 * (checked against every metric of the expression).
 */
function unknownLabelsOf(expr: string, labels: Map<string, Set<string>>): string[] {
  const unknown: string[] = [];
  const known = (metric: string, label: string) => TARGET_LABELS.has(label) || (labels.get(metric)?.has(label) ?? false);
  for (const m of expr.matchAll(/\b((?:callevt|process|nodejs)_[a-z0-9_]+)\{((?:[^}"]|"(?:[^"\\]|\\.)*")*)\}/g)) {
    for (const matcher of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*"/g)) {
      if (!known(m[1] ?? '', matcher[1] ?? '')) unknown.push(`${m[1]}{${matcher[1]}}`);
    }
  }
  const metrics = metricNamesOf(expr);
  for (const m of expr.matchAll(/\bby\s*\(([^)]*)\)/g)) {
    for (const label of (m[1] ?? '').split(',').map((l) => l.trim()).filter((l) => l !== '')) {
      if (!metrics.some((metric) => known(metric, label))) unknown.push(`by (${label}) in ${expr}`);
    }
  }
  return unknown;
}

it('when the dashboard is imported, then every panel reads the datasource variable, a Prometheus data source picked at import', () => {
  const variable = dashboard.templating.list.find((v) => v.name === 'datasource');
  assert.deepEqual({ type: variable?.type, query: variable?.query }, { type: 'datasource', query: 'prometheus' });
  assert.ok(panels.length >= 10, `${panels.length} panels`);
  for (const panel of panels) {
    assert.deepEqual(panel.datasource, { type: 'prometheus', uid: DATASOURCE_VARIABLE }, panel.title);
    for (const target of panel.targets ?? []) assert.deepEqual(target.datasource, { type: 'prometheus', uid: DATASOURCE_VARIABLE }, panel.title);
  }
});

it('when its expressions are given to promtool as recording rules, then every one parses', { skip: SKIP_WITHOUT_PROMTOOL }, () => {
  assert.equal(PROMTOOL_MISSING, null, PROMTOOL_MISSING ?? '');
  assert.ok(expressions.length >= 15, `${expressions.length} expressions`);
  const rules = expressions.map((expr, i) => {
    const replaced = withVariablesReplaced(expr);
    assert.doesNotMatch(replaced, /\$/, `a variable is left in ${expr}`);
    return { record: `callevt_dashboard:expr_${i}`, expr: replaced };
  });
  const dir = mkdtempSync(join(tmpdir(), 'callevt-dashboard-'));
  try {
    // YAML is a superset of JSON: promtool reads this file as a rules file.
    writeFileSync(join(dir, 'dashboard-rules.yml'), JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
    const run = runPromtool(['check', 'rules', 'dashboard-rules.yml'], { cwd: dir });
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, new RegExp(`SUCCESS: ${rules.length} rules found`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The /metrics of a server that has taken a few callbacks, and of a receiver with a spool (whose families exist only there). */
async function liveExpositions(): Promise<{ live: string; spool: string }> {
  const t = await createTestApp();
  try {
    for (const values of [validCallbackValues(), validCallbackValues({ disconnect_reason: '1301' }), validCallbackValues({ sid: 'bad' })]) {
      await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(values)}` });
    }
    const live = (await t.app.inject({ url: '/metrics' })).body;
    // The spool's families exist only on a PostgreSQL receiver with a spool.
    const spooled = createMetrics({ pending: () => 0, spooled: () => 1, held: () => 0 });
    spooled.countReplayed([], ['accepted']);
    return { live, spool: await spooled.registry.metrics() };
  } finally {
    await t.cleanup();
  }
}

it('when a server has taken callbacks, then every metric the dashboard reads is in its /metrics (spool families from a spooled receiver)', async () => {
  const expositions = await liveExpositions();
  const live = sampleNamesOf(expositions.live);
  const spool = sampleNamesOf(expositions.spool);
  const used = [...new Set(expressions.flatMap(metricNamesOf))];
  assert.ok(used.length >= 14, `${used.length} metric names: ${used.join(', ')}`);
  for (const group of ['callevt_group_sessions_open', 'callevt_group_recent_stays']) assert.ok(used.includes(group), `the dashboard reads ${group}`);
  const missing = used.filter((name) => !live.has(name) && !(name.startsWith('callevt_spool_') && spool.has(name)));
  assert.deepEqual(missing, []);
});

it('when a server has taken callbacks, then every label the dashboard matches on or groups by is one its metrics carry', async () => {
  const expositions = await liveExpositions();
  const labels = new Map([...labelsBySampleName(expositions.spool), ...labelsBySampleName(expositions.live)]);
  assert.deepEqual(unknownLabelsOf('sum by (callback) (rate(callevt_callbacks_total{callbak="x"}[5m]))', labels), ['callevt_callbacks_total{callbak}']);
  assert.deepEqual(unknownLabelsOf('sum by (sate) (callevt_group_sessions_open)', labels), ['by (sate) in sum by (sate) (callevt_group_sessions_open)']);
  assert.deepEqual(expressions.flatMap((expr) => unknownLabelsOf(expr, labels)), []);
});
