import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { validCallEvent } from '../../../test/fixtures/callback-fixture.js';
import { ENDED_BY_VALUES, OUTCOMES } from './call-status.js';
import { classifyCall, type ClassifierInput } from './classify-call.js';
import { CLASSIFIER_VERSION, DISCONNECT_REASONS, LEGACY_CALL_END_REASONS, TERMINATE_CAUSES } from './release-codes.js';

/** Runs per property: enough to hit every table row many times, bounded for CI. */
const RUNS = 3_000;

const INT32 = fc.integer({ min: -2_147_483_648, max: 2_147_483_647 });
/** Codes near the tables, known ones and any 32-bit integer, so every branch is reached. */
const code = fc.oneof(
  fc.constantFrom(...DISCONNECT_REASONS.keys(), ...LEGACY_CALL_END_REASONS.keys()),
  fc.integer({ min: 990, max: 1_610 }),
  INT32,
);
const seconds = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 253_402_300_799 }));
const input: fc.Arbitrary<ClassifierInput> = fc.record({
  setup_time: seconds,
  start_time: seconds,
  end_time: seconds,
  duration: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 31_536_000 })),
  billing_sec: fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 31_536_000 }))),
  terminate: fc.oneof(fc.constantFrom(...TERMINATE_CAUSES.keys()), fc.integer({ min: 0, max: 255 })),
  disconnect_reason: fc.option(code),
  releaser_type: fc.option(fc.oneof(fc.integer({ min: -1, max: 7 }), INT32)),
  call_end_reason: fc.option(code),
  releaser: fc.option(fc.oneof(fc.constantFrom('initiator', 'responder', '', 'voip-1.example.net'), fc.string({ maxLength: 20 }))),
});

describe('classifyCall properties', () => {
  it('when given any combination of field values, then it answers a valid status and never throws', () => {
    fc.assert(
      fc.property(input, (call) => {
        const s = classifyCall(call);
        assert.ok(OUTCOMES.includes(s.outcome));
        assert.ok(ENDED_BY_VALUES.includes(s.ended_by));
        assert.ok(s.reason.length > 0);
        assert.ok(s.explanation.length > 0 && s.explanation.endsWith('.'));
        assert.equal(s.classifier_version, CLASSIFIER_VERSION);
        assert.ok(s.inconsistencies.every((i) => i.code.length > 0 && i.message.length > 0));
      }),
      { numRuns: RUNS },
    );
  });

  it('when the same call is classified twice, then both statuses are identical', () => {
    fc.assert(fc.property(input, (call) => assert.deepEqual(classifyCall(call), classifyCall({ ...call }))), { numRuns: RUNS });
  });

  it('when codes are present, then the most specific one decides (disconnect_reason, then call_end_reason, then terminate)', () => {
    fc.assert(
      fc.property(input, (call) => {
        const expected = call.disconnect_reason !== null ? 'disconnect_reason' : call.call_end_reason !== null ? 'call_end_reason' : 'terminate';
        assert.equal(classifyCall(call).reason_source, expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('when a number is in both tables, then disconnect_reason and call_end_reason are each decoded with their own table', () => {
    const shared = [...DISCONNECT_REASONS.keys()].filter((c) => LEGACY_CALL_END_REASONS.has(c));
    assert.ok(shared.length > 0, 'the tables share numbers (1001..1003 at least)');
    fc.assert(
      fc.property(input, fc.constantFrom(...shared), (call, c) => {
        const current = classifyCall({ ...call, disconnect_reason: c, call_end_reason: null });
        const legacy = classifyCall({ ...call, disconnect_reason: null, call_end_reason: c });
        assert.equal(current.reason, DISCONNECT_REASONS.get(c)?.name);
        assert.equal(current.decoded.disconnect_reason?.name, DISCONNECT_REASONS.get(c)?.name);
        assert.equal(legacy.reason, LEGACY_CALL_END_REASONS.get(c)?.name);
        assert.equal(legacy.decoded.call_end_reason?.name, LEGACY_CALL_END_REASONS.get(c)?.name);
      }),
      { numRuns: RUNS },
    );
  });

  it('when disconnect_reason is present, then changing the legacy call_end_reason never changes the outcome, reason or connection', () => {
    fc.assert(
      fc.property(input, code, code, (call, dr, legacyCode) => {
        const base = { ...call, disconnect_reason: dr, call_end_reason: null };
        const a = classifyCall(base);
        const b = classifyCall({ ...base, call_end_reason: legacyCode });
        assert.deepEqual([a.outcome, a.reason, a.reason_source, a.connected], [b.outcome, b.reason, b.reason_source, b.connected]);
      }),
      { numRuns: RUNS },
    );
  });

  it('when the decisive code is a known error, then the call is dropped if connected and failed if not', () => {
    const errors = [...DISCONNECT_REASONS].filter(([, info]) => info.kind === 'error').map(([c]) => c);
    fc.assert(
      fc.property(input, fc.constantFrom(...errors), (call, c) => {
        const s = classifyCall({ ...call, disconnect_reason: c });
        assert.equal(s.outcome, s.connected ? 'dropped' : 'failed');
      }),
      { numRuns: RUNS },
    );
  });

  it('when talk time shows (duration, billing_sec or start_time), then connected is true, and only then', () => {
    fc.assert(
      fc.property(input, (call) => {
        const expected = call.duration > 0 || (call.billing_sec ?? 0) > 0 || call.start_time > 0;
        assert.equal(classifyCall(call).connected, expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('when a user-behaviour code decides, then the outcome follows its meaning whatever terminate says, unless the call talked', () => {
    const expected: Record<string, string> = { cancel: 'canceled', reject: 'rejected', busy: 'busy', no_answer: 'no_answer' };
    const user = [...DISCONNECT_REASONS].filter(([, info]) => info.kind in expected);
    fc.assert(
      fc.property(input, fc.constantFrom(...user), (call, [c, info]) => {
        const s = classifyCall({ ...call, disconnect_reason: c });
        assert.equal(s.outcome, s.connected ? 'completed' : expected[info.kind]);
      }),
      { numRuns: RUNS },
    );
  });

  it('when a call is completed or dropped, then it is connected, and a connected call is always one of the two', () => {
    fc.assert(
      fc.property(input, (call) => {
        const s = classifyCall(call);
        assert.equal(s.outcome === 'completed' || s.outcome === 'dropped', s.connected);
      }),
      { numRuns: RUNS },
    );
  });

  it('when a normal reason decides a call without talk time, then who ended it decides the outcome and the call is flagged', () => {
    const normal = [...DISCONNECT_REASONS].filter(([, info]) => info.kind === 'normal').map(([c]) => c);
    const byWho: Record<string, string> = { caller: 'canceled', callee: 'rejected' };
    fc.assert(
      fc.property(input, fc.constantFrom(...normal), (call, c) => {
        const s = classifyCall({ ...call, disconnect_reason: c, duration: 0, billing_sec: null, start_time: 0 });
        assert.equal(s.outcome, byWho[s.ended_by] ?? 'no_answer');
        assert.ok(s.inconsistencies.some((i) => i.code === 'normal_reason_without_connection'));
        assert.doesNotMatch(s.explanation, /The call connected/);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('classifyCall: unknown codes (classifier v2)', () => {
  const notConnected = { start_time: 0, duration: 0, billing_sec: 0 };
  it('when an unknown disconnect_reason lies outside the error ranges, then terminate decides and the reason stays "unknown (N)"', () => {
    const s = classifyCall(validCallEvent({ ...notConnected, disconnect_reason: 1209, terminate: 17 }));
    assert.deepEqual([s.outcome, s.reason, s.reason_source], ['busy', 'unknown (1209)', 'disconnect_reason']);
    assert.ok(s.inconsistencies.some((i) => i.code === 'unknown_code'));
  });
  it('when an unknown disconnect_reason lies in an error range, then it is still an error', () => {
    assert.equal(classifyCall(validCallEvent({ ...notConnected, disconnect_reason: 1599, terminate: 17 })).outcome, 'failed');
    assert.equal(classifyCall(validCallEvent({ disconnect_reason: 1150 })).outcome, 'dropped');
  });
  it('when an unknown legacy call_end_reason decides, then terminate decides the outcome', () => {
    const s = classifyCall(validCallEvent({ ...notConnected, disconnect_reason: null, call_end_reason: 1050, terminate: 18 }));
    assert.deepEqual([s.outcome, s.reason_source], ['no_answer', 'call_end_reason']);
  });
  it('when an unknown legacy call_end_reason meets terminate=16 on a call without talk time, then who ended it decides', () => {
    const s = classifyCall(validCallEvent({ ...notConnected, disconnect_reason: null, releaser_type: null, call_end_reason: 1050, terminate: 16, releaser: 'responder' }));
    assert.deepEqual([s.outcome, s.ended_by], ['rejected', 'callee']);
  });
});
