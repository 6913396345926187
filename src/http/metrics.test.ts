import assert from 'node:assert/strict';
import { it } from 'node:test';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { createTestApp } from '../../test/fixtures/test-app.js';
import { createMetrics, REASON_LABELS, reasonLabel } from './metrics.js';
import { PROMTOOL_MISSING, runPromtool, SKIP_WITHOUT_PROMTOOL } from '../../test/fixtures/promtool.js';

it('when callbacks are accepted, duplicated and quarantined, then /metrics counts them by result, outcome and type without ids', async () => {
  const t = await createTestApp();
  const other = await createTestApp();
  try {
    const values = validCallbackValues({ from_user_id: 'secret.user.42' });
    await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(values)}` });
    await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(values)}` });
    await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams({ ...values, sid: 'bad' })}` });
    const res = await t.app.inject({ url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/plain/);
    const text = res.body;
    assert.match(text, /callevt_callbacks_total\{result="accepted"\} 1\n/);
    assert.match(text, /callevt_callbacks_total\{result="duplicate"\} 1\n/);
    assert.match(text, /callevt_callbacks_total\{result="quarantined"\} 1\n/);
    assert.match(text, /callevt_callbacks_total\{result="conflict"\} 0\n/);
    assert.match(text, /callevt_calls_recorded_total\{outcome="completed",type="V"\} 1\n/);
    assert.match(text, /callevt_ingest_duration_seconds_count\{result="accepted"\} 1\n/);
    assert.match(text, /callevt_commit_batch_size_count \d+\n/);
    assert.doesNotMatch(text, /secret\.user\.42|[0-9a-f]{8}-[0-9a-f]{4}-/);
    // Each app has its own registry: the other app saw nothing.
    assert.match((await other.app.inject({ url: '/metrics' })).body, /callevt_callbacks_total\{result="accepted"\} 0\n/);
  } finally {
    await t.cleanup();
    await other.cleanup();
  }
});

it('when calls end for a known code and for a code no table holds, then callevt_calls_ended_total counts them by outcome and bounded reason', async () => {
  const t = await createTestApp();
  try {
    const dropped = validCallbackValues({ disconnect_reason: '1301' });
    const unknownA = validCallbackValues({ disconnect_reason: '1399' });
    const unknownB = validCallbackValues({ disconnect_reason: '1398' });
    for (const values of [dropped, dropped, unknownA, unknownB]) {
      assert.equal((await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(values)}` })).statusCode, 200);
    }
    const text = (await t.app.inject({ url: '/metrics' })).body;
    assert.match(text, /callevt_calls_ended_total\{outcome="dropped",reason="NETWORK_UNSTABLE"\} 1\n/);
    // Two different unknown codes share one series: the label never carries a code.
    assert.match(text, /callevt_calls_ended_total\{outcome="dropped",reason="unknown"\} 2\n/);
    assert.doesNotMatch(text, /reason="unknown \(/);
  } finally {
    await t.cleanup();
  }
});

it('when a reason is a table name, then it is its own label; any other text is unknown, so the label has a closed set of values', () => {
  assert.equal(reasonLabel('NETWORK_UNSTABLE'), 'NETWORK_UNSTABLE');
  assert.equal(reasonLabel('CALLEE_NETWORK_ERROR'), 'CALLEE_NETWORK_ERROR');
  assert.equal(reasonLabel('NORMAL_CLEARING'), 'NORMAL_CLEARING');
  assert.equal(reasonLabel('unknown (1399)'), 'unknown');
  assert.equal(reasonLabel('anything else'), 'unknown');
  assert.ok(REASON_LABELS.size < 120, `${REASON_LABELS.size} reason labels`);
});

if (SKIP_WITHOUT_PROMTOOL !== false) process.stderr.write(`\nNOTICE: ${SKIP_WITHOUT_PROMTOOL}; the exposition check is skipped\n\n`);

/** What `promtool check metrics` prints about an exposition (nothing when it is clean). */
const promtoolFindings = (text: string) => runPromtool(['check', 'metrics'], { input: text });

/** The families (`# TYPE` lines) of an exposition that have no sample line. */
function familiesWithoutSamples(text: string): string[] {
  const families = [...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map((m) => m[1] ?? '');
  const samples = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  return families.filter((family) => !samples.some((line) => new RegExp(`^${family}(_bucket|_sum|_count)?[{ ]`).test(line)));
}

it('when the app has taken callbacks and reads, then promtool check metrics finds nothing in /metrics, and every family has samples', { skip: SKIP_WITHOUT_PROMTOOL }, async () => {
  assert.equal(PROMTOOL_MISSING, null, PROMTOOL_MISSING ?? ''); // REQUIRE_PROMTOOL=1: a missing promtool fails
  const t = await createTestApp({ API_TOKEN: 'a-token-of-16-chars-or-more' });
  try {
    const values = validCallbackValues();
    for (const query of [values, values, { ...values, duration: '7' }, { ...values, sid: 'bad' }]) {
      await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(query)}` });
    }
    const headers = { authorization: 'Bearer a-token-of-16-chars-or-more' };
    assert.equal((await t.app.inject({ url: '/api/calls', headers })).statusCode, 200);
    assert.equal((await t.app.inject({ url: '/api/stats/summary', headers })).statusCode, 200);
    // Garbage for the collector, so that nodejs_gc_duration_seconds has observed a collection.
    for (let i = 0; i < 50; i++) assert.ok(Array.from({ length: 100_000 }, (_, j) => ({ j })).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const res = await t.app.inject({ url: '/metrics', headers });
    assert.equal(res.statusCode, 200);
    // nodejs_active_requests has a sample per kind of libuv request in flight, often none at a scrape.
    assert.deepEqual(familiesWithoutSamples(res.body).filter((family) => family !== 'nodejs_active_requests'), []);
    assert.deepEqual(promtoolFindings(res.body), { status: 0, output: '' });
  } finally {
    await t.cleanup();
  }
});

it('when a spool fronts the database and has replayed deliveries, then promtool check metrics finds nothing in its families either', { skip: SKIP_WITHOUT_PROMTOOL }, async () => {
  assert.equal(PROMTOOL_MISSING, null, PROMTOOL_MISSING ?? '');
  const metrics = createMetrics({ pending: () => 0, spooled: () => 2, held: () => 1 });
  metrics.onBatch(3, 0.004);
  metrics.onResult('spooled', 0.001);
  metrics.countReplayed([], ['accepted', 'duplicate']);
  const text = await metrics.registry.metrics();
  for (const family of ['callevt_spool_replayed_total', 'callevt_spool_pending', 'callevt_spool_held']) assert.match(text, new RegExp(`^# TYPE ${family} `, 'm'));
  assert.deepEqual(promtoolFindings(text), { status: 0, output: '' });
});

it('when the relay is on and has made attempts, then promtool check metrics finds nothing in its families either', { skip: SKIP_WITHOUT_PROMTOOL }, async () => {
  assert.equal(PROMTOOL_MISSING, null, PROMTOOL_MISSING ?? '');
  const metrics = createMetrics({ relayStatus: async () => ({ pending: 3, inFlight: 2, delivered: null, dead: 1, oldestPendingReceivedAt: 0 }) });
  metrics.onRelayAttempt('delivered', 0.004);
  metrics.onRelayAttempt('retry', 0.2);
  const text = await metrics.registry.metrics();
  assert.match(text, /^callevt_relay_outbox_pending 5$/m, 'pending and in flight together');
  assert.match(text, /^callevt_relay_dead_letters 1$/m);
  assert.match(text, /^callevt_relay_deliveries_total\{result="retry"\} 1$/m);
  assert.match(text, /^callevt_relay_delivery_duration_seconds_count 2$/m);
  assert.deepEqual(promtoolFindings(text), { status: 0, output: '' });
});
