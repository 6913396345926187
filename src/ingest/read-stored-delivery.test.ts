import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validAgentCallStatusValues, validCallbackQuery, validNotifyValues } from '../../test/fixtures/callback-fixture.js';
import { legacyGroupCallValuesOf, validGroupCallEvent } from '../../test/fixtures/group-call-fixture.js';
import type { StoredRawRequest } from '../storage/port.js';
import { readStoredDelivery } from './read-stored-delivery.js';
import { recordOfStoredRequest } from './rebuild/rebuild-from-raw.js';

const stored = (path: string, query = validCallbackQuery()): StoredRawRequest => ({
  id: 7, result: 'accepted', receivedAt: 1, method: 'GET', path, query, body: null, contentType: null, sourceIp: '127.0.0.1',
});

describe('readStoredDelivery: a stored raw request to the reader of its endpoint', () => {
  it('when the path is the Call Event endpoint, with or without the secret segment, then the Call Event reader reads it', () => {
    for (const path of ['/callbacks/call-event', '/callbacks/[secret]/call-event']) {
      assert.equal(readStoredDelivery(stored(path))?.record.kind, 'event', path);
    }
  });

  it('when the path is the Notify or the Agent Call Status endpoint, then that callback\'s reader reads it', () => {
    const notify = new URLSearchParams(validNotifyValues());
    assert.equal(readStoredDelivery(stored('/callbacks/[secret]/notify', notify.toString()))?.record.kind, 'notify');
    const status = new URLSearchParams(validAgentCallStatusValues());
    assert.equal(readStoredDelivery(stored('/callbacks/agent-call-status', status.toString()))?.record.kind, 'agent-call-status');
    // The same raw request read as a Call Event is malformed: the path decides the reader.
    assert.equal(readStoredDelivery(stored('/callbacks/call-event', notify.toString()))?.record.kind, 'malformed');
  });

  it('when the path is the Group Call Event endpoint, then the group reader reads it, in the 2020 shape too', () => {
    const event = validGroupCallEvent();
    const read = readStoredDelivery(stored('/callbacks/[secret]/group-call-event', new URLSearchParams(legacyGroupCallValuesOf(event)).toString()));
    assert.deepEqual(read?.record.kind === 'group-call-event' ? read.record.groupEvent : null, event);
  });

  it('when no reader knows the path, then replay leaves it and rebuild keeps it in quarantine naming the path', () => {
    const raw = stored('/callbacks/room-event');
    assert.equal(readStoredDelivery(raw), null);
    const record = recordOfStoredRequest(raw);
    assert.equal(record.rawRequestId, 7);
    assert.deepEqual(record.kind === 'malformed' ? record.problems : null, [{ field: 'path', problem: 'no callback endpoint reads /callbacks/room-event' }]);
  });

  it('when a stored raw request was refused unread, then it is refused the same way, never parsed', () => {
    const read = readStoredDelivery({ ...stored('/callbacks/call-event'), unreadReasons: [{ field: 'body', problem: 'is larger than 16384 bytes' }] });
    assert.equal(read?.refusal, 413);
    assert.deepEqual(read?.record.kind === 'malformed' ? read.record.problems : null, [{ field: 'body', problem: 'is larger than 16384 bytes' }]);
  });
});
