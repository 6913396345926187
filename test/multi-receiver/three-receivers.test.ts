import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { classifyCall } from '../../src/domain/classify/classify-call.js';
import { parseCallEvent } from '../../src/domain/parse-call-event.js';
import { summarizeCalls } from '../../src/domain/stats/summarize-calls.js';
import { createRandom } from '../../src/seed/seed-generator.js';
import { createTestSchema, describePostgres, withClient, type TestSchema } from '../postgres/pg-test-schema.js';
import { startReceiver, type Receiver } from './spawn-receiver.js';

/** Distinct calls; with duplicates and conflicting versions they make about 3,000 deliveries. */
const CALLS = 1_500;
/** Groups of simultaneous deliveries in flight at once. */
const GROUPS_IN_FLIGHT = 48;
/** A bound on the whole test (not an assertion on speed). */
const TEST_TIMEOUT_MS = 180_000;
const FIRST_SETUP = 1_750_000_000;

type Plan = 'single' | 'duplicates' | 'conflicts';
interface Delivery { receiver: number; values: Record<string, string> }
interface Call { sid: string; plan: Plan; deliveries: Delivery[]; stored: Record<string, string> }

/** One call's keys: connected or not, with the causes LINE Planet sends, durations under 600 s. */
function callValues(next: () => number, i: number): Record<string, string> {
  const setup = FIRST_SETUP + i * 7;
  const connected = next() < 0.6;
  const duration = connected ? 1 + Math.floor(next() * 590) : 0;
  const start = connected ? setup + 1 + Math.floor(next() * 20) : 0;
  const terminate = connected ? 16 : [16, 17, 18, 21, 127][Math.floor(next() * 5)]!;
  return {
    sid: randomUUID(),
    from_service_id: 'svc.example', from_user_id: `u${Math.floor(next() * 50)}`,
    to_service_id: 'svc.example', to_user_id: `u${50 + Math.floor(next() * 50)}`,
    type: next() < 0.5 ? 'A' : 'V',
    setup_time: String(setup), start_time: String(start),
    end_time: String(connected ? start + duration : setup + Math.floor(next() * 40)),
    duration: String(duration), billing_sec: String(duration),
    srcip: '192.0.2.1', dstip: '198.51.100.2', terminate: String(terminate),
    disconnect_reason: String([1001, 1002, 1100, 1201, 1302][Math.floor(next() * 5)]),
    releaser_type: String(1 + Math.floor(next() * 3)),
    rel_code: '1', rel_code_str: 'NORMAL', app_svr_data: 'v0',
  };
}

/** Each call: one delivery, the same delivery to all three receivers, or three conflicting versions at once. */
function planCalls(seed: number): Call[] {
  const next = createRandom(seed); // seeded, so that a failure can be replayed
  return Array.from({ length: CALLS }, (_, i) => {
    const values = callValues(next, i);
    const plan: Plan = i % 10 < 6 ? 'single' : i % 10 < 8 ? 'duplicates' : 'conflicts';
    const deliveries: Delivery[] =
      plan === 'single' ? [{ receiver: i % 3, values }]
      : plan === 'duplicates' ? [0, 1, 2].map((receiver) => ({ receiver, values }))
      // Versions differ only in app_svr_data, so whichever wins, the statistics are the same.
      : [...[0, 1, 2].map((receiver) => ({ receiver, values: { ...values, app_svr_data: `v${receiver}` } })),
          { receiver: (i + 1) % 3, values: { ...values, app_svr_data: 'v0' } }];
    return { sid: values.sid!, plan, deliveries, stored: values };
  });
}

describePostgres('three receivers on one PostgreSQL', (pgUrl) => {
  let schema: TestSchema;
  let receivers: Receiver[] = [];
  const calls = planCalls(20261125);
  const answers = new Map<string, string[]>(); // sid → results in any order
  const statuses: number[] = [];

  before(async () => {
    schema = await createTestSchema(pgUrl);
    const url = new URL(schema.url);
    url.searchParams.set('pool_max', '4');
    receivers = await Promise.all([0, 1, 2].map(() => startReceiver(url.toString())));
    let index = 0;
    const worker = async () => {
      while (index < calls.length) {
        const call = calls[index++]!;
        // The group's deliveries leave together: the same sid reaches several processes at the same instant.
        const results = await Promise.all(call.deliveries.map(async (d) => {
          const response = await fetch(`${receivers[d.receiver]!.url}/callbacks/call-event?${new URLSearchParams(d.values)}`);
          statuses.push(response.status);
          return ((await response.json()) as { result?: string }).result ?? `status ${response.status}`;
        }));
        answers.set(call.sid, results);
      }
    };
    await Promise.all(Array.from({ length: GROUPS_IN_FLIGHT }, worker));
  }, { timeout: TEST_TIMEOUT_MS });

  after(async () => {
    const codes = await Promise.all(receivers.map((r) => r.stop()));
    await schema?.drop();
    assert.deepEqual(codes, receivers.map(() => 0), 'every receiver shuts down cleanly');
  });

  const sql = async (text: string) => withClient(pgUrl, async (c) => {
    await c.query(`SET search_path = ${schema.schema}`);
    return (await c.query(text)).rows;
  });

  it('then every delivery is answered 200', () => {
    assert.equal(statuses.length, calls.reduce((n, c) => n + c.deliveries.length, 0));
    assert.deepEqual([...new Set(statuses)], [200]);
  });

  it('then each sid is stored exactly once, and exactly one receiver answered "accepted" for it', async () => {
    const [row] = await sql('SELECT count(*)::int AS calls, count(DISTINCT sid)::int AS sids FROM calls');
    assert.deepEqual(row, { calls: CALLS, sids: CALLS });
    for (const call of calls) {
      const results = answers.get(call.sid) ?? [];
      assert.equal(results.filter((r) => r === 'accepted').length, 1, `sid ${call.sid}: ${results.join(',')}`);
    }
  });

  it('then every distinct conflicting version is recorded once, and the others are duplicates', async () => {
    const conflicted = calls.filter((c) => c.plan === 'conflicts');
    const rows = await sql('SELECT sid, count(*)::int AS n FROM call_conflicts GROUP BY sid');
    assert.equal(rows.length, conflicted.length);
    assert.ok(rows.every((r) => r.n === 2), 'three versions: one stored as the call, two as conflicts');
    const counted = await sql("SELECT count(*)::int AS n FROM calls WHERE conflicts = 2");
    assert.equal(counted[0]?.n, conflicted.length);
    for (const call of conflicted) {
      assert.deepEqual((answers.get(call.sid) ?? []).sort(), ['accepted', 'conflict', 'conflict', 'duplicate']);
    }
  });

  it('then a raw record exists for every delivery, with the result it was answered with', async () => {
    const rows = await sql('SELECT result, count(*)::int AS n FROM raw_requests GROUP BY result ORDER BY result');
    const expected = new Map<string, number>();
    for (const results of answers.values()) for (const r of results) expected.set(r, (expected.get(r) ?? 0) + 1);
    assert.deepEqual(rows, [...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([result, n]) => ({ result, n })));
  });

  it('then statistics are exact: counts by outcome and /api/stats/summary match a recomputation from what was sent', async () => {
    const expectedCalls = calls.map((c) => {
      const parsed = parseCallEvent(new Map(Object.entries(c.stored)));
      assert.ok(parsed.ok);
      return { ...parsed.event, ...classifyCall(parsed.event) };
    });
    const byOutcome = new Map<string, number>();
    for (const c of expectedCalls) byOutcome.set(c.outcome, (byOutcome.get(c.outcome) ?? 0) + 1);
    const rows = await sql('SELECT outcome, count(*)::int AS n FROM calls GROUP BY outcome ORDER BY outcome');
    assert.deepEqual(rows, [...byOutcome].sort(([a], [b]) => (a < b ? -1 : 1)).map(([outcome, n]) => ({ outcome, n })));

    const from = FIRST_SETUP;
    const to = FIRST_SETUP + CALLS * 7;
    const response = await fetch(`${receivers[0]!.url}/api/stats/summary?from=${from}&to=${to}`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { summary: Record<string, unknown> };
    assert.deepEqual(body.summary, summarizeCalls(expectedCalls));
  });
});
