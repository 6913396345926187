import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyCall } from '../domain/classify/classify-call.js';
import { canonicalizeEvent } from '../domain/canonical-event.js';
import { parseCallEvent } from '../domain/parse-call-event.js';
import { decodeQueryString } from '../domain/parse-query-string.js';
import { type PlannedItem, planTraffic } from './plan-traffic.js';
import { DEFAULT_TRAFFIC, type TrafficOptions } from './traffic-options.js';

const EPOCH = 1_800_000_000;

function options(overrides: Partial<TrafficOptions> = {}): TrafficOptions {
  return { ...DEFAULT_TRAFFIC, seed: 'test', epoch: EPOCH, ...overrides };
}

function take(opts: TrafficOptions, n: number): PlannedItem[] {
  const plan = planTraffic(opts);
  return Array.from({ length: n }, () => plan.next().value);
}

function parseQuery(query: string) {
  const decoded = decodeQueryString(query);
  return { decodingProblems: decoded.problems, parsed: parseCallEvent(decoded.values) };
}

describe('planTraffic', () => {
  it('when planned twice with the same seed and epoch, then the requests are identical', () => {
    const a = take(options(), 500);
    const b = take(options(), 500);
    assert.deepEqual(a, b);
  });

  it('when the seed differs, then the traffic differs', () => {
    const a = take(options({ seed: 'one' }), 20);
    const b = take(options({ seed: 'two' }), 20);
    assert.notDeepEqual(a, b);
  });

  it('when a call is planned, then its query parses back to exactly the planned event', () => {
    for (const item of take(options({ legacyShare: 0.5, unknownKeyShare: 0.2 }), 2_000)) {
      if (item.kind !== 'call') continue;
      const { parsed, decodingProblems } = parseQuery(item.deliveries[0].query);
      assert.deepEqual(decodingProblems, []);
      assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
      assert.deepEqual(parsed.event, item.call.event);
    }
  });

  it('when a call is planned for an outcome, then the classifier gives that outcome', () => {
    for (const item of take(options({ legacyShare: 0.5 }), 3_000)) {
      if (item.kind !== 'call') continue;
      assert.equal(classifyCall(item.call.event).outcome, item.call.intended, JSON.stringify(item.call.event));
    }
  });

  it('when every outcome is weighted, then every outcome and both shapes occur', () => {
    const calls = take(options({ legacyShare: 0.3 }), 3_000).flatMap((i) => (i.kind === 'call' ? [i.call] : []));
    const outcomes = new Set(calls.map((c) => c.intended));
    assert.equal(outcomes.size, 7);
    assert.ok(calls.some((c) => c.shape === 'legacy'));
    assert.ok(calls.some((c) => c.event.type === 'A') && calls.some((c) => c.event.type === 'V'));
  });

  it('when a malformed request is planned, then callevt would refuse it naming the broken field', () => {
    const items = take(options({ malformedShare: 1 }), 400);
    const defects = new Set<string>();
    for (const item of items) {
      assert.equal(item.kind, 'malformed');
      if (item.kind !== 'malformed') continue;
      defects.add(item.malformed.defect);
      const { parsed, decodingProblems } = parseQuery(item.malformed.query);
      const named = [...decodingProblems, ...(parsed.ok ? [] : parsed.problems)].map((p) => p.field);
      assert.ok(!parsed.ok || decodingProblems.length > 0, item.malformed.query);
      for (const field of item.malformed.fields) assert.ok(named.includes(field), `${item.malformed.defect}: ${named}`);
    }
    assert.equal(defects.size, 9);
  });

  it('when re-deliveries are planned, then duplicates are the same content and conflicts differ', () => {
    const items = take(options({ duplicateShare: 0.5, conflictShare: 0.5, malformedShare: 0 }), 300);
    let duplicates = 0;
    let conflicts = 0;
    for (const item of items) {
      if (item.kind !== 'call') continue;
      const [first, again] = item.deliveries;
      assert.ok(again, 'every call gets a re-delivery when the shares sum to 1');
      const a = parseQuery(first.query).parsed;
      const b = parseQuery(again.query).parsed;
      assert.ok(a.ok && b.ok);
      assert.equal(b.event.sid, a.event.sid);
      const same = canonicalizeEvent(a.event) === canonicalizeEvent(b.event);
      assert.equal(same, again.role === 'duplicate');
      if (again.role === 'duplicate') duplicates++;
      else conflicts++;
    }
    assert.ok(duplicates > 50 && conflicts > 50);
  });

  it('when a call is late, then it ended before the window; otherwise inside it', () => {
    for (const item of take(options({ lateShare: 0.3 }), 1_000)) {
      if (item.kind !== 'call') continue;
      const { end_time, setup_time } = item.call.event;
      if (item.call.late) assert.ok(end_time < EPOCH - DEFAULT_TRAFFIC.spanSec);
      else assert.ok(end_time >= EPOCH - DEFAULT_TRAFFIC.spanSec && end_time < EPOCH);
      assert.ok(setup_time <= end_time);
    }
  });
});
