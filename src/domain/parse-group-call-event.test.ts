import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupCallValuesOf, legacyGroupCallValuesOf, validGroupCallEvent, validGroupCallValues } from '../../test/fixtures/group-call-fixture.js';
import type { FieldProblem } from './call-event.js';
import { canonicalizeGroupCallEvent, groupCallEventHashOf, groupCallEventKeyOf } from './canonical-group-call-event.js';
import type { GroupCallEvent } from './group-call-event.js';
import { MAX_DISPLAY_NAME_BYTES, MAX_ONLINE_PARTICIPANTS } from './group-call-event.js';
import { MAX_EPOCH_MS, MIN_EPOCH_SECONDS, parseGroupCallEvent } from './parse-group-call-event.js';

const mapOf = (values: Record<string, string>) => new Map(Object.entries(values));

function eventOf(overrides: Record<string, string | undefined> = {}): GroupCallEvent {
  const parsed = parseGroupCallEvent(mapOf(validGroupCallValues(overrides)));
  if (!parsed.ok) assert.fail(`expected acceptance, got ${JSON.stringify(parsed.problems)}`);
  return parsed.value;
}

function problemsOf(values: Record<string, string>): FieldProblem[] {
  const parsed = parseGroupCallEvent(mapOf(values));
  assert.equal(parsed.ok, false, `expected ${JSON.stringify(values)} to be refused`);
  return parsed.ok ? [] : parsed.problems;
}

function assertRefused(field: string, overrides: Record<string, string | undefined>, problem: RegExp): void {
  const problems = problemsOf(validGroupCallValues(overrides));
  assert.deepEqual(problems.map((p) => p.field), [field]);
  assert.match(problems[0]?.problem ?? '', problem);
}

describe('parseGroupCallEvent: sid (docs/spec/callbacks.md §2.1)', () => {
  it('when the sid is 32 hex digits in upper case, then it is stored in lower case', () => {
    assert.equal(eventOf({ sid: '6364E8B3BDAC436E96310BCE2498CE0C' }).sid, '6364e8b3bdac436e96310bce2498ce0c');
  });
  it('when the sid is a 36-character UUID (older documentation), then it is stored as its 32 hex digits', () => {
    assert.equal(eventOf({ sid: '6364E8B3-BDAC-436E-9631-0BCE2498CE0C' }).sid, '6364e8b3bdac436e96310bce2498ce0c');
  });
  it('when the sid is 31 hex digits, then it is refused', () => {
    assertRefused('sid', { sid: '6364e8b3bdac436e96310bce2498ce0' }, /32 hexadecimal characters/);
  });
  it('when the sid has a non-hex digit, then it is refused', () => {
    assertRefused('sid', { sid: '6364e8b3bdac436e96310bce2498ce0g' }, /hexadecimal/);
  });
  it('when the sid is missing, then it is required', () => {
    assertRefused('sid', { sid: undefined }, /^is required$/);
  });
});

describe('parseGroupCallEvent: times in either shape (docs/spec/callbacks.md §2.2)', () => {
  it('when setup_time is in seconds, then it is kept in seconds', () => {
    assert.equal(eventOf({ setup_time: '1700000000' }).setup_time, 1_700_000_000);
  });
  it('when setup_time is in milliseconds, then it is stored in seconds, rounded down', () => {
    assert.equal(eventOf({ setup_time: '1700000000999' }).setup_time, 1_700_000_000);
  });
  it('when end_time is 0, then it stays 0', () => {
    assert.equal(eventOf({ end_time: '0' }).end_time, 0);
  });
  it('when ts is in milliseconds, then it is kept; in seconds, then it is multiplied by 1000', () => {
    assert.equal(eventOf({ ts: '1700000002345' }).ts, 1_700_000_002_345);
    assert.equal(eventOf({ ts: '1700000002' }).ts, 1_700_000_002_000);
  });
  it('when a time is after the year 5138 even in milliseconds, then it is refused', () => {
    assertRefused('start_time', { start_time: String(MAX_EPOCH_MS + 1) }, /after the year 5138/);
  });
  it('when a time is before 1973-03-03 (where seconds and milliseconds would overlap), then it is refused; ts of 0 too', () => {
    assertRefused('setup_time', { setup_time: String(MIN_EPOCH_SECONDS - 1) }, /before 1973/);
    assertRefused('ts', { ts: '0' }, /before 1973/);
  });
  it('when a time is negative or not a number, then it is refused', () => {
    assertRefused('ts', { ts: '-1' }, /negative/);
    assertRefused('setup_time', { setup_time: '17e8' }, /whole number/);
  });
});

describe('parseGroupCallEvent: media_type or mediaType', () => {
  it('when only the 2020 spelling mediaType is sent, then it is read as media_type and not kept as an unknown key', () => {
    const event = eventOf({ media_type: undefined, mediaType: 'A' });
    assert.equal(event.media_type, 'A');
    assert.deepEqual(event.extra, {});
  });
  it('when both spellings carry the same value, then the event is accepted', () => {
    assert.equal(eventOf({ media_type: 'V', mediaType: 'V' }).media_type, 'V');
  });
  it('when the two spellings differ, then mediaType is refused', () => {
    assertRefused('mediaType', { media_type: 'V', mediaType: 'A' }, /differs from media_type/);
  });
  it('when mediaType alone is bad, then the problem names mediaType', () => {
    assertRefused('mediaType', { media_type: undefined, mediaType: 'X' }, /'A'/);
  });
  it('when neither spelling is sent, then media_type is required', () => {
    assertRefused('media_type', { media_type: undefined }, /required/);
  });
});

describe('parseGroupCallEvent: states, device, counts and names', () => {
  it('when sc or msc is not one of its letters, then each is named', () => {
    const problems = problemsOf(validGroupCallValues({ sc: 'X', msc: 'c' }));
    assert.deepEqual(problems.map((p) => p.field), ['sc', 'msc']);
  });
  it('when ue_type is a device name LINE Planet does not list, then it is kept', () => {
    assert.equal(eventOf({ ue_type: 'VISIONOS' }).ue_type, 'VISIONOS');
  });
  it('when ue_type holds a space or is too long, then it is refused', () => {
    assertRefused('ue_type', { ue_type: 'MY PHONE' }, /device name/);
    assertRefused('ue_type', { ue_type: 'A'.repeat(33) }, /device name/);
  });
  it(`when online is ${MAX_ONLINE_PARTICIPANTS + 1} or negative, then it is refused`, () => {
    assertRefused('online', { online: String(MAX_ONLINE_PARTICIPANTS + 1) }, /between 0 and/);
    assertRefused('online', { online: '-1' }, /between 0 and/);
  });
  it('when display_name has a line break or is too long, then it is refused', () => {
    assertRefused('display_name', { display_name: 'a\nb' }, /control characters/);
    assertRefused('display_name', { display_name: 'x'.repeat(MAX_DISPLAY_NAME_BYTES + 1) }, /at most/);
  });
  it('when disconnect_reason and releaser_type are sent, then they are numbers; absent, null', () => {
    const sent = eventOf({ msc: 'D', disconnect_reason: '1402', releaser_type: '4' });
    assert.deepEqual([sent.disconnect_reason, sent.releaser_type], [1402, 4]);
    assert.deepEqual([eventOf().disconnect_reason, eventOf().releaser_type], [null, null]);
  });
  it('when several fields are bad, then each is named once, in spec order, and unknown keys are never a problem', () => {
    const problems = problemsOf(validGroupCallValues({ user_id: undefined, ts: 'now', sid: 'x', host_id: '', codec: 'opus' }));
    assert.deepEqual(problems.map((p) => p.field), ['sid', 'user_id', 'host_id', 'ts']);
  });
  it('when an unknown key is sent, then it is kept in extra', () => {
    assert.deepEqual(eventOf({ codec: 'opus' }).extra, { codec: 'opus' });
  });
});

describe('group event identity and content', () => {
  it('when the same event comes in the 2020 shape (milliseconds, mediaType), then its content hash is the same', () => {
    const event = validGroupCallEvent({ end_time: 1_700_000_100 });
    const current = parseGroupCallEvent(mapOf(groupCallValuesOf(event)));
    const legacy = parseGroupCallEvent(mapOf(legacyGroupCallValuesOf(event, 123)));
    assert.ok(current.ok && legacy.ok);
    assert.deepEqual(legacy.value, current.value);
    assert.equal(groupCallEventHashOf(legacy.value), groupCallEventHashOf(current.value));
  });
  it('when two events share sid, participant, sc, msc and ts but differ in online, then the key is equal and the content differs', () => {
    const a = validGroupCallEvent({ online: 2 });
    const b = { ...a, online: 3 };
    assert.equal(groupCallEventKeyOf(a), groupCallEventKeyOf(b));
    assert.notEqual(canonicalizeGroupCallEvent(a), canonicalizeGroupCallEvent(b));
  });
  it('when two events differ only in ts, then their keys differ', () => {
    const a = validGroupCallEvent();
    assert.notEqual(groupCallEventKeyOf(a), groupCallEventKeyOf({ ...a, ts: a.ts + 1 }));
  });
});
