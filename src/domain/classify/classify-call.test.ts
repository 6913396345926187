import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { validCallEvent } from '../../../test/fixtures/callback-fixture.js';
import type { CallEvent } from '../call-event.js';
import { classifyCall } from './classify-call.js';

const notConnected = { start_time: 0, end_time: 1_700_000_030, duration: 0, billing_sec: 0 };

/** The rules' own document, from the repository root (tests run from there). */
const OUTCOMES_SPEC = 'docs/spec/outcomes.md';

interface ExampleRow {
  input: string;
  outcome: string;
  ended_by: string;
}

/** The rows of the example table under "### 1.5 Examples". */
function specExamples(): ExampleRow[] {
  const text = readFileSync(OUTCOMES_SPEC, 'utf8');
  const section = text.slice(text.indexOf('### 1.5 Examples'), text.indexOf('## 2.'));
  return section
    .split('\n')
    .filter((line) => /^\| [a-z_]+=/.test(line))
    .map((line) => {
      const [input = '', outcome = '', ended_by = ''] = line.split('|').slice(1, -1).map((cell) => cell.trim());
      return { input, outcome, ended_by };
    });
}

/**
 * A call from a table row: "other fields ordinary", codes the row does not name are
 * absent, and a row with duration=0 has no start and no billing unless it says so.
 */
function eventOf(input: string): CallEvent {
  const given = Object.fromEntries(input.split(', ').map((pair) => pair.split('=') as [string, string]));
  const numeric = (key: string) => (given[key] === undefined ? undefined : Number(given[key]));
  const base = validCallEvent({ disconnect_reason: null, releaser_type: null, call_end_reason: null, releaser: null });
  const talked = (numeric('duration') ?? 0) > 0;
  const event: CallEvent = talked ? base : { ...base, ...notConnected };
  for (const key of ['duration', 'start_time', 'billing_sec', 'terminate', 'disconnect_reason', 'releaser_type', 'call_end_reason'] as const) {
    const value = numeric(key);
    if (value !== undefined) event[key] = value;
  }
  if (talked) event.end_time = event.start_time + event.duration;
  if (given.releaser !== undefined) event.releaser = given.releaser;
  return event;
}

describe('classifyCall: the example table of docs/spec/outcomes.md §1.5', () => {
  const rows = specExamples();
  it('when the document is read, then it has the fourteen examples of revision 3', () => {
    assert.equal(rows.length, 14);
  });
  for (const row of rows) {
    it(`when ${row.input}, then the outcome is ${row.outcome} and ended_by is ${row.ended_by}`, () => {
      const status = classifyCall(eventOf(row.input));
      assert.equal(status.outcome, row.outcome);
      assert.equal(status.ended_by, row.ended_by);
    });
  }
});

describe('classifyCall: connected means talk time (revision 3)', () => {
  const legacy = { ...notConnected, billing_sec: null, terminate: 16, disconnect_reason: null, releaser_type: null };
  it('when the seed example arrives (call_end_reason=1005, no talk time), then it is rejected by the callee, not connected, and flagged', () => {
    const status = classifyCall(validCallEvent({ ...legacy, call_end_reason: 1005, releaser: 'responder' }));
    assert.deepEqual([status.outcome, status.ended_by, status.connected], ['rejected', 'callee', false]);
    assert.deepEqual([status.reason_source, status.reason], ['call_end_reason', 'CALLEE_END']);
    const flags = status.inconsistencies.map((i) => i.code);
    assert.ok(flags.includes('normal_reason_without_connection'));
    assert.ok(flags.includes('terminate_normal_without_duration'));
    assert.match(status.explanation, /never connected/);
    assert.doesNotMatch(status.explanation, /The call connected/);
  });
  it('when legacy CALLER_END (1004) arrives without talk time, then the call is not connected and counts as canceled', () => {
    const status = classifyCall(validCallEvent({ ...legacy, call_end_reason: 1004, releaser: 'initiator' }));
    assert.deepEqual([status.outcome, status.connected], ['canceled', false]);
  });
  it('when a normal reason ends a call without talk time and nobody known released it, then it is no_answer', () => {
    const status = classifyCall(validCallEvent({ ...notConnected, disconnect_reason: 1208, releaser_type: 0 }));
    assert.deepEqual([status.outcome, status.ended_by], ['no_answer', 'unknown']);
  });
  it('when only billing_sec shows talk time, then the call is connected', () => {
    const status = classifyCall(validCallEvent({ ...notConnected, billing_sec: 3, disconnect_reason: 1001 }));
    assert.deepEqual([status.outcome, status.connected], ['completed', true]);
  });
  it('when a user-behaviour reason closes a call that talked, then it is completed and flagged user_reason_after_connection', () => {
    const status = classifyCall(validCallEvent({ duration: 30, start_time: 1_700_000_005, end_time: 1_700_000_035, disconnect_reason: 1203, releaser_type: 4 }));
    assert.equal(status.outcome, 'completed');
    assert.ok(status.inconsistencies.some((i) => i.code === 'user_reason_after_connection'));
    assert.match(status.explanation, /counts as answered/);
  });
  it('when terminate=16 alone closes a call without talk time, then who ended it decides and the call is flagged', () => {
    const status = classifyCall(validCallEvent({ ...legacy, releaser: 'initiator' }));
    assert.deepEqual([status.outcome, status.reason_source], ['canceled', 'terminate']);
    assert.ok(status.inconsistencies.some((i) => i.code === 'normal_reason_without_connection'));
  });
});

describe('classifyCall: code tables are never confused', () => {
  it('when disconnect_reason=1001 (NORMAL), then the call is completed, not busy', () => {
    assert.equal(classifyCall(validCallEvent({ disconnect_reason: 1001 })).outcome, 'completed');
  });
  it('when legacy call_end_reason=1001 (CALLEE_BUSY) decides, then the call is busy', () => {
    const status = classifyCall(validCallEvent({ ...notConnected, terminate: 17, disconnect_reason: null, call_end_reason: 1001 }));
    assert.equal(status.outcome, 'busy');
    assert.equal(status.reason, 'CALLEE_BUSY');
  });
  it('when the decisive code is unknown, then the reason says "unknown (N)" and errors map by connection', () => {
    const connected = classifyCall(validCallEvent({ disconnect_reason: 1399 }));
    assert.equal(connected.reason, 'unknown (1399)');
    assert.equal(connected.outcome, 'dropped');
    const failed = classifyCall(validCallEvent({ ...notConnected, disconnect_reason: 1399, terminate: 127 }));
    assert.equal(failed.outcome, 'failed');
  });
});
