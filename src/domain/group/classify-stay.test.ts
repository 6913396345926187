import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { classifyStay } from './classify-stay.js';
import { STAY_ENDS, type StayEnd, type StayFacts } from './stay-status.js';

/** The rules' own document, from the repository root (tests run from there). */
const GROUP_SPEC = 'docs/spec/group-calls.md';

interface ExampleRow {
  input: string;
  status: string;
  ended_by: string;
}

/** The rows of the example table under "### 3.4 Examples". */
function specExamples(): ExampleRow[] {
  const text = readFileSync(GROUP_SPEC, 'utf8');
  const section = text.slice(text.indexOf('### 3.4 Examples'), text.indexOf('## 4.'));
  return section
    .split('\n')
    .filter((line) => /^\| joined=/.test(line))
    .map((line) => {
      const [input = '', status = '', ended_by = ''] = line.split('|').slice(1, -1).map((cell) => cell.trim());
      return { input, status, ended_by };
    });
}

/** A stay from a table row: codes the row does not name are absent. */
function factsOf(input: string): StayFacts {
  const given = new Map(input.split(', ').map((pair) => pair.split('=') as [string, string]));
  const end = given.get('end') as StayEnd;
  assert.ok(STAY_ENDS.includes(end), `end=${end} is a stay end`);
  assert.ok(given.get('joined') === 'yes' || given.get('joined') === 'no', `joined is yes or no in "${input}"`);
  const code = (key: string) => (given.has(key) ? Number(given.get(key)) : null);
  return {
    joined: given.get('joined') === 'yes',
    end,
    disconnect_reason: code('disconnect_reason'),
    releaser_type: code('releaser_type'),
    duration_ms: given.get('joined') === 'yes' && end !== 'open' ? 95_000 : null,
  };
}

describe('classifyStay: the example table of docs/spec/group-calls.md §3.4', () => {
  const rows = specExamples();
  it('when the document is read, then it has the twenty-one examples of revision 1', () => {
    assert.equal(rows.length, 21);
  });
  for (const row of rows) {
    it(`when ${row.input}, then the status is ${row.status} and ended_by is ${row.ended_by}`, () => {
      const verdict = classifyStay(factsOf(row.input));
      assert.deepEqual([verdict.status, verdict.ended_by], [row.status, row.ended_by]);
    });
  }
});

const joinedLeft: StayFacts = { joined: true, end: 'D', disconnect_reason: 1001, releaser_type: 3, duration_ms: 65_000 };

describe('classifyStay: reasons, flags and explanations', () => {
  it('when a stay ends with a known reason, then the reason is its name and the explanation quotes it', () => {
    const verdict = classifyStay({ ...joinedLeft, disconnect_reason: 1301, releaser_type: 4 });
    assert.equal(verdict.reason, 'NETWORK_UNSTABLE');
    assert.match(verdict.explanation, /was in the room for 1 min 5 s, then was cut off by an error \(disconnect_reason=1301 NETWORK_UNSTABLE/);
  });
  it('when a stay ends with a code no table knows, then the reason is "unknown (N)" and the stay is flagged', () => {
    const verdict = classifyStay({ ...joinedLeft, disconnect_reason: 1099 });
    assert.equal(verdict.reason, 'unknown (1099)');
    assert.deepEqual(verdict.flags.map((f) => f.code), ['unknown_code']);
  });
  it('when a stay ends without a code, then the reason is null', () => {
    assert.equal(classifyStay({ ...joinedLeft, disconnect_reason: null }).reason, null);
  });
  it('when a participant who never joined leaves with NORMAL, then it is failed_to_join, flagged, and never said to be in the room', () => {
    const verdict = classifyStay({ joined: false, end: 'D', disconnect_reason: 1001, releaser_type: 3, duration_ms: null });
    assert.equal(verdict.status, 'failed_to_join');
    assert.deepEqual(verdict.flags.map((f) => f.code), ['normal_reason_without_join']);
    assert.doesNotMatch(verdict.explanation, /was in the room/);
  });
  it('when a joined stay ends with DECLINE, then it is completed and flagged user_reason_after_join', () => {
    const verdict = classifyStay({ ...joinedLeft, disconnect_reason: 1002 });
    assert.equal(verdict.status, 'completed');
    assert.deepEqual(verdict.flags.map((f) => f.code), ['user_reason_after_join']);
  });
  it('when the application server ends a stay with an error code, then it is kicked, not dropped (rule 4 before rule 5)', () => {
    assert.equal(classifyStay({ ...joinedLeft, disconnect_reason: 1305, releaser_type: 5 }).status, 'kicked');
  });
  it('when a stay times out with ALONE_KICK_OUT, then it is timed_out (rule 2 before rule 4)', () => {
    assert.equal(classifyStay({ ...joinedLeft, end: 'T', disconnect_reason: 1402 }).status, 'timed_out');
  });
  it('when the room ends a stay, then the explanation says it lasted until the room ended', () => {
    assert.match(classifyStay({ ...joinedLeft, end: 'room_end', disconnect_reason: null, releaser_type: null }).explanation, /until the room ended/);
  });
});
