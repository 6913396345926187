import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eraseTargetFromForm, truncateIpsInForm } from './scrub-form.js';

const target = { serviceId: 's', userId: 'ann+1' };

describe('eraseTargetFromForm', () => {
  it("when the caller is the target, then their id becomes the pseudonym, their IP empties, app data and unknown keys go, the callee stays", () => {
    const text = 'from_service_id=s&from_user_id=ann%2B1&to_service_id=s&to_user_id=bo&srcip=192.0.2.1&dstip=192.0.2.2&app_svr_data=x&nick=ann';
    const out = eraseTargetFromForm(text, target, 'p');
    assert.equal(out.namesTarget, true);
    assert.equal(out.text, 'from_service_id=s&from_user_id=p&to_service_id=s&to_user_id=bo&srcip=&dstip=192.0.2.2');
  });

  it('when the same user id belongs to another service, then nothing changes', () => {
    const text = 'from_service_id=t&from_user_id=ann%2B1';
    assert.deepEqual(eraseTargetFromForm(text, target, 'p'), { text, namesTarget: false });
  });

  it('when text names the user in no readable pair (a JSON body), then it is emptied whole', () => {
    assert.deepEqual(eraseTargetFromForm('{"from_user_id":"ann+1"}', target, 'p'), { text: '', namesTarget: true });
  });
});

describe('truncateIpsInForm', () => {
  it('when the form holds IPs, then each is cut to its network and the rest is kept as sent', () => {
    assert.equal(truncateIpsInForm('a=1&srcip=192.0.2.77&dstip=2001%3Adb8%3A1%3A2%3A%3A9'), 'a=1&srcip=192.0.2.0&dstip=2001%3Adb8%3A1%3A%3A');
    assert.equal(truncateIpsInForm('a=%20x&srcip=192.0.2.0'), 'a=%20x&srcip=192.0.2.0');
  });
});
