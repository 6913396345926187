import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseCallFilter, parseTime } from './parse-call-filter.js';

const NOW_MS = 1_767_225_600_000; // 2026-01-01T00:00:00Z

function problemsOf(query: Record<string, string | string[]>) {
  const result = parseCallFilter(query, NOW_MS);
  assert.equal(result.ok, false, `expected ${JSON.stringify(query)} to be refused`);
  return result.ok ? [] : result.problems;
}

function filterOf(query: Record<string, string | string[]>) {
  const result = parseCallFilter(query, NOW_MS);
  assert.ok(result.ok, `expected ${JSON.stringify(query)} to parse: ${JSON.stringify(result)}`);
  return result.filter;
}

describe('parseCallFilter', () => {
  it('when no parameter is given, then the filter only says setup_time', () => {
    assert.deepEqual(filterOf({}), { time_field: 'setup_time' });
  });

  it('when every parameter is given, then each lands in the filter typed', () => {
    const filter = filterOf({
      from: '1700000000', to: '2026-01-01T09:00:00+09:00', time_field: 'end_time', user: 'alice',
      from_user_id: 'a', to_user_id: 'b', from_service_id: 'svc.a', to_service_id: 'svc.b', type: 'A',
      outcome: ['dropped,failed', 'busy'], reason: 'NETWORK_UNSTABLE', ended_by: 'server',
      min_duration: '10', max_duration: '600',
    });
    assert.deepEqual(filter, {
      from: 1_700_000_000, to: 1_767_225_600, time_field: 'end_time', user: 'alice',
      from_user_id: 'a', to_user_id: 'b', from_service_id: 'svc.a', to_service_id: 'svc.b', type: 'A',
      outcome: ['dropped', 'busy', 'failed'], reason: 'NETWORK_UNSTABLE', ended_by: 'server',
      min_duration: 10, max_duration: 600,
    });
  });

  it('when times are ISO dates, date-times with offsets or relative, then they become Unix seconds', () => {
    assert.equal(parseTime('2026-01-01', NOW_MS), 1_767_225_600);
    assert.equal(parseTime('2026-01-01T00:00:00Z', NOW_MS), 1_767_225_600);
    assert.equal(parseTime('2026-01-01T00:00:00.999Z', NOW_MS), 1_767_225_600);
    assert.equal(parseTime('2025-12-31T19:00:00-05:00', NOW_MS), 1_767_225_600);
    assert.equal(parseTime('2026-01-01T09:00+0900', NOW_MS), 1_767_225_600);
    assert.equal(parseTime('-24h', NOW_MS), 1_767_225_600 - 86_400);
    assert.equal(parseTime('-2w', NOW_MS), 1_767_225_600 - 2 * 604_800);
  });

  it('when a time is malformed, impossible or in milliseconds, then that parameter is named', () => {
    for (const bad of ['yesterday', '2026-02-30', '2026-13-01', '2026-01-01T24:00:00Z', '1700000000000', '-5y', '1.5']) {
      const problems = problemsOf({ from: bad });
      assert.equal(problems[0]?.field, 'from', bad);
    }
  });

  it('when to is not after from, then "to" is refused', () => {
    assert.deepEqual(problemsOf({ from: '100', to: '100' }).map((p) => p.field), ['to']);
  });

  it('when several parameters are bad, then every one is reported at once', () => {
    const problems = problemsOf({
      time_field: 'start_time', type: 'X', outcome: 'completed,hung_up', ended_by: 'nobody',
      min_duration: '-1', max_duration: 'ten', user: 'a\u0000b', reason: 'x'.repeat(65),
    });
    assert.deepEqual(problems.map((p) => p.field).sort(), [
      'ended_by', 'max_duration', 'min_duration', 'outcome', 'reason', 'time_field', 'type', 'user',
    ]);
  });

  it('when min_duration exceeds max_duration, then max_duration is refused', () => {
    assert.deepEqual(problemsOf({ min_duration: '60', max_duration: '59' }).map((p) => p.field), ['max_duration']);
  });

  it('when a single-valued parameter is repeated with different values, then it is refused; the same value twice is fine', () => {
    assert.deepEqual(problemsOf({ user: ['a', 'b'] }).map((p) => p.field), ['user']);
    assert.equal(filterOf({ user: ['a', 'a'] }).user, 'a');
  });

  it('when values are empty or parameters unknown, then they are ignored', () => {
    assert.deepEqual(filterOf({ user: '', outcome: ',', limit: '5', cursor: 'x' }), { time_field: 'setup_time' });
  });

  it('when given any query at all, then it never throws and answers ok or named problems (property)', () => {
    const keys = fc.constantFrom('from', 'to', 'time_field', 'user', 'type', 'outcome', 'ended_by', 'min_duration', 'max_duration', 'reason', 'other');
    const value = fc.oneof(fc.string({ maxLength: 30 }), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }), fc.integer().map(String));
    fc.assert(
      fc.property(fc.dictionary(keys, value), (query) => {
        const result = parseCallFilter(query, NOW_MS);
        if (!result.ok) assert.ok(result.problems.length > 0 && result.problems.every((p) => typeof p.field === 'string' && p.problem.length > 0));
      }),
      { numRuns: 500 },
    );
  });
});
