import assert from 'node:assert/strict';
import { it } from 'node:test';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { groupCallValuesOf, newGroupSid, validGroupCallEvent } from '../../test/fixtures/group-call-fixture.js';
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
    assert.match(text, /callevt_callbacks_total\{callback="call-event",result="accepted"\} 1\n/);
    assert.match(text, /callevt_callbacks_total\{callback="call-event",result="duplicate"\} 1\n/);
    assert.match(text, /callevt_callbacks_total\{callback="call-event",result="quarantined"\} 1\n/);
    assert.match(text, /callevt_callbacks_total\{callback="call-event",result="conflict"\} 0\n/);
    assert.match(text, /callevt_calls_recorded_total\{outcome="completed",type="V"\} 1\n/);
    assert.match(text, /callevt_ingest_duration_seconds_count\{result="accepted"\} 1\n/);
    assert.match(text, /callevt_commit_batch_size_count \d+\n/);
    assert.doesNotMatch(text, /secret\.user\.42|[0-9a-f]{8}-[0-9a-f]{4}-/);
    // Each app has its own registry: the other app saw nothing.
    assert.match((await other.app.inject({ url: '/metrics' })).body, /callevt_callbacks_total\{callback="call-event",result="accepted"\} 0\n/);
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

it('when group callbacks arrive, then /metrics counts them by endpoint and result, gauges open sessions by state and recent stays by status, and promtool finds nothing', async () => {
  const T0 = 1_700_000_000_000;
  let clock = T0;
  const t = await createTestApp({ GROUP_END_DEADLINE: '1h' }, { now: () => clock });
  try {
    const deliver = async (query: Record<string, string>) => (await t.app.inject({ url: `/callbacks/group-call-event?${new URLSearchParams(query)}` })).statusCode;
    // An old room, silent for two hours (end_missing); an ended room and an open one, both within the last 15 minutes.
    const old = newGroupSid();
    assert.equal(await deliver(groupCallValuesOf(validGroupCallEvent({ sid: old, sc: 'S', ts: T0 - 2 * 3_600_000 }))), 200);
    const ended = newGroupSid();
    const open = newGroupSid();
    const recent = [
      validGroupCallEvent({ sid: ended, sc: 'S', msc: 'C', user_id: 'host', ts: T0 - 600_000 }),
      validGroupCallEvent({ sid: ended, sc: 'C', msc: 'D', user_id: 'guest', ts: T0 - 599_000, disconnect_reason: 1401, releaser_type: 4 }),
      validGroupCallEvent({ sid: ended, sc: 'E', msc: 'D', user_id: 'host', ts: T0 - 500_000, online: 0 }),
      validGroupCallEvent({ sid: open, sc: 'S', msc: 'C', user_id: 'host', ts: T0 - 60_000 }),
    ];
    for (const event of recent) assert.equal(await deliver(groupCallValuesOf(event)), 200);
    assert.equal(await deliver(groupCallValuesOf(recent[0] as (typeof recent)[number])), 200, 'a duplicate');
    assert.equal(await deliver({ ...groupCallValuesOf(validGroupCallEvent()), msc: 'X' }), 400, 'quarantined');
    const text = (await t.app.inject({ url: '/metrics' })).body;
    assert.match(text, /^callevt_callbacks_total\{callback="group-call-event",result="accepted"\} 5$/m);
    assert.match(text, /^callevt_callbacks_total\{callback="group-call-event",result="duplicate"\} 1$/m);
    assert.match(text, /^callevt_callbacks_total\{callback="group-call-event",result="quarantined"\} 1$/m);
    assert.match(text, /^callevt_callbacks_total\{callback="call-event",result="accepted"\} 0$/m);
    assert.match(text, /^callevt_group_sessions_open\{state="in_progress"\} 1$/m);
    assert.match(text, /^callevt_group_sessions_open\{state="end_missing"\} 1$/m);
    assert.match(text, /^callevt_group_recent_stays\{status="completed"\} 1$/m);
    assert.match(text, /^callevt_group_recent_stays\{status="failed_to_join"\} 1$/m);
    assert.match(text, /^callevt_group_recent_stays\{status="in_room"\} 1$/m);
    assert.match(text, /^callevt_group_recent_stays\{status="dropped"\} 0$/m);
    if (SKIP_WITHOUT_PROMTOOL === false) assert.deepEqual(promtoolFindings(text), { status: 0, output: '' });
    // An hour later the open room is past its deadline, and no session started in the last 15 minutes.
    clock = T0 + 3_600_000;
    const later = (await t.app.inject({ url: '/metrics' })).body;
    assert.match(later, /^callevt_group_sessions_open\{state="in_progress"\} 0$/m);
    assert.match(later, /^callevt_group_sessions_open\{state="end_missing"\} 2$/m);
    assert.match(later, /^callevt_group_recent_stays\{status="in_room"\} 0$/m);
  } finally {
    await t.cleanup();
  }
});

it('when a spool fronts the database and has replayed deliveries, then promtool check metrics finds nothing in its families either', { skip: SKIP_WITHOUT_PROMTOOL }, async () => {
  assert.equal(PROMTOOL_MISSING, null, PROMTOOL_MISSING ?? '');
  const metrics = createMetrics({ pending: () => 0, spooled: () => 2, held: () => 1 });
  metrics.onBatch(3, 0.004);
  metrics.onResult('spooled', 0.001, 'group-call-event');
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
