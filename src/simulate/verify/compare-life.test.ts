import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TruthLife } from '../ground-truth.js';
import { answerProblems, compareLife, expectedState, type StoredLife } from './compare-life.js';

const SID = '6364e8b3-bdac-436e-9631-0bce2498ce0c';
const FIELDS = { sid: SID.toUpperCase(), from_service_id: 'line.me', type: 'V', param: 'ab+c/=' };

function truth(overrides: Partial<TruthLife> = {}): TruthLife {
  return {
    kind: 'life', sid: SID, late: false,
    notify: { delivery: 'sent', fields: FIELDS, sent_at: 1, answered_at: 2, status: 200, expected_relay: null },
    agent_call_status: { result_sent: 'Success', result: 'SUCCESS', fail_reason_sent: 'None', sent_at: 3, answered_at: 4, status: 200 },
    end: { sent: true, acknowledged: true, push_error: false, setup_time: 1_800_000_000 },
    expected_diagnosis: null,
    ...overrides,
  };
}

function stored(overrides: Partial<StoredLife> = {}): StoredLife {
  return {
    lifecycle: { state: 'ended', end_due_at: null },
    notify: { ...FIELDS, sid: SID },
    agent_call_status: { result: 'SUCCESS', fail_reason: null },
    notify_relays: [],
    push_diagnosis: null,
    ...overrides,
  };
}

const none = { notify: [], relay: [], agentCallStatus: [], end: [], diagnosis: [] };

describe('compareLife', () => {
  it('when the life is stored as sent (sid in lower case, `Success` as SUCCESS, `None` as null), then there is no problem', () => {
    assert.deepEqual(compareLife(truth(), stored()), none);
  });

  it('when no stand-in handler ran, then the relay attempts must fit the answer: 504 with a timeout, 502 with a refusal', () => {
    assert.deepEqual(compareLife(truth({ notify: { ...truth().notify, status: 504 } }), stored({ notify_relays: [{ outcome: 'timeout' }] })).relay, []);
    assert.deepEqual(compareLife(truth({ notify: { ...truth().notify, status: 502 } }), stored({ notify_relays: [{ outcome: 'unreachable' }] })).relay, []);
    assert.match(compareLife(truth(), stored({ notify_relays: [{ outcome: 'http_error' }] })).relay[0] ?? '', /do not fit the answer 200/);
  });

  it('when a lost end event is still in progress, or a sent one is missing, then the state is named', () => {
    const lost = truth({ end: { ...truth().end, sent: false, acknowledged: false } });
    assert.equal(expectedState(lost), 'end_missing');
    assert.match(compareLife(lost, stored({ lifecycle: { state: 'in_progress', end_due_at: null } })).end[0] ?? '', /state "in_progress", expected "end_missing" \(its end event was never sent\)/);
    assert.match(compareLife(truth(), null).end[0] ?? '', /no lifecycle \(404\), expected ended/);
  });

  it('when nothing of a call was stored because nothing was sent, then a 404 is right', () => {
    const nothing = truth({
      notify: { ...truth().notify, delivery: 'undeliverable', fields: null, sent_at: null, answered_at: null, status: null },
      agent_call_status: null,
      end: { ...truth().end, sent: false, acknowledged: false },
    });
    assert.equal(expectedState(nothing), null);
    assert.deepEqual(compareLife(nothing, null), none);
  });

  it('when the push diagnosis or the Agent Call Status differ, then each is named', () => {
    const p = compareLife(
      truth({ end: { ...truth().end, push_error: true }, expected_diagnosis: 'push_handler' }),
      stored({ push_diagnosis: { verdict: 'other' }, agent_call_status: { result: 'FAIL', fail_reason: 'X' } }),
    );
    assert.deepEqual(p.diagnosis, [`${SID}: push diagnosis "other", expected "push_handler"`]);
    assert.match(p.agentCallStatus[0] ?? '', /sent "Success"\/"None", stored "FAIL"\/"X"/);
  });
});

describe('answerProblems', () => {
  it('when a Notify got another status than the stand-in handler implies, or none, then it is named', () => {
    const refused = truth({ notify: { ...truth().notify, expected_relay: 'http_error', status: 200 } });
    const silent = truth({ notify: { ...truth().notify, status: null } });
    assert.deepEqual(answerProblems([refused, silent, truth()]), [`${SID}: the Notify was answered 200, expected 502`, `${SID}: the Notify got no answer`]);
  });
});
