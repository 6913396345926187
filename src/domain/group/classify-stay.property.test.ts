import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DISCONNECT_REASONS, RELEASER_TYPES } from '../classify/release-codes.js';
import { classifyStay } from './classify-stay.js';
import { STAY_ENDS, STAY_STATUSES, type StayFacts } from './stay-status.js';

/** Bounded runs: the suite stays fast and deterministic in time. */
const RUNS = { numRuns: 500 };

const code = fc.oneof(fc.constantFrom(...DISCONNECT_REASONS.keys()), fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }));
const anyStay: fc.Arbitrary<StayFacts> = fc.record({
  joined: fc.boolean(),
  end: fc.constantFrom(...STAY_ENDS),
  disconnect_reason: fc.option(code, { nil: null }),
  releaser_type: fc.option(fc.integer({ min: -1, max: 7 }), { nil: null }),
  duration_ms: fc.option(fc.nat({ max: 86_400_000 }), { nil: null }),
});

describe('classifyStay properties (docs/spec/group-calls.md §3)', () => {
  it('when any facts are given, then it never throws and the status is one of §3.1 with a sentence', () => {
    fc.assert(
      fc.property(anyStay, (stay) => {
        const verdict = classifyStay(stay);
        assert.ok(STAY_STATUSES.includes(verdict.status));
        assert.ok(verdict.explanation.length > 0);
      }),
      RUNS,
    );
  });

  it('when a stay is open, then it is in_room; when it never joined, then failed_to_join and never said to be in the room', () => {
    fc.assert(
      fc.property(anyStay, (stay) => {
        const verdict = classifyStay(stay);
        assert.equal(verdict.status === 'in_room', stay.end === 'open');
        if (stay.end !== 'open') assert.equal(verdict.status === 'failed_to_join', !stay.joined);
        if (!stay.joined) assert.doesNotMatch(verdict.explanation, /was in the room/);
      }),
      RUNS,
    );
  });

  it('when a joined stay ends by time-out, then it is timed_out whatever its codes (rule 2 comes first)', () => {
    fc.assert(
      fc.property(anyStay, (stay) => assert.equal(classifyStay({ ...stay, joined: true, end: 'T' }).status, 'timed_out')),
      RUNS,
    );
  });

  it('when a joined stay ends by an error of §5.3 and no kick or replacement applies, then it is dropped', () => {
    const kickOrReplace = ['ALONE_KICK_OUT', 'ANOTHER_INSTANCE_TRY_TO_JOIN'];
    const errors = [...DISCONNECT_REASONS].filter(([, info]) => info.kind === 'error' && !kickOrReplace.includes(info.name)).map(([c]) => c);
    const appServer = [...RELEASER_TYPES].find(([, info]) => info.endedBy === 'app_server')?.[0];
    fc.assert(
      fc.property(anyStay, fc.constantFrom(...errors), (stay, error) => {
        fc.pre(stay.releaser_type !== appServer);
        assert.equal(classifyStay({ ...stay, joined: true, end: 'D', disconnect_reason: error }).status, 'dropped');
      }),
      RUNS,
    );
  });
});
