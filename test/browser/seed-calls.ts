import { validCallbackValues } from '../fixtures/callback-fixture.js';

/**
 * Known calls for the browser tests, one of each outcome and then some, set up
 * `minutesAgo` before `nowSec` (so they fall inside "last hour" and "24 h").
 */
export function seedCallbacks(nowSec: number): Array<Record<string, string>> {
  const call = (minutesAgo: number, o: Record<string, string | undefined>) => {
    const setup = nowSec - minutesAgo * 60;
    const duration = Number(o.duration ?? '0');
    const start = duration > 0 ? setup + 5 : 0;
    return validCallbackValues({
      setup_time: String(setup),
      start_time: String(start),
      end_time: String(duration > 0 ? start + duration : setup + 20),
      billing_sec: String(duration),
      ...o,
    });
  };
  return [
    call(50, { duration: '120', terminate: '16', disconnect_reason: '1001', releaser_type: '2', from_user_id: 'alice', type: 'V' }),
    call(45, { duration: '45', terminate: '16', disconnect_reason: '1001', releaser_type: '1', from_user_id: 'alice', type: 'A' }),
    call(40, { duration: '700', terminate: '16', disconnect_reason: '1001', releaser_type: '2', to_user_id: 'alice', type: 'A' }),
    call(35, { duration: '5', terminate: '16', disconnect_reason: '1001', releaser_type: '1', type: 'V' }),
    call(30, { duration: '45', terminate: '16', disconnect_reason: '1301', releaser_type: '4', from_user_id: 'bob', type: 'V' }),
    call(25, { duration: '0', terminate: '17', disconnect_reason: '1202', releaser_type: '1', rel_code_str: 'BUSY' }),
    call(20, { duration: '0', terminate: '21', disconnect_reason: '1002', releaser_type: '1', rel_code_str: 'DECLINE' }),
    call(15, { duration: '0', terminate: '77', disconnect_reason: '1201', releaser_type: '2', rel_code_str: 'CANCEL', from_user_id: 'alice' }),
    call(10, { duration: '0', terminate: '127', disconnect_reason: '1302', releaser_type: '4', rel_code_str: 'PUSH_ERROR' }),
    call(5, { duration: '0', terminate: '18', disconnect_reason: '1203', releaser_type: '4', rel_code_str: 'NO_ANSWER', type: 'A' }),
    // The previous 24 h, for "change against the previous period".
    call(30 * 60, { duration: '60', terminate: '16', disconnect_reason: '1001', releaser_type: '2' }),
    call(31 * 60, { duration: '0', terminate: '127', disconnect_reason: '1302', releaser_type: '4' }),
  ];
}

/** A callback the server refuses (a 35-character sid) and quarantines. */
export function refusedCallback(): Record<string, string> {
  return validCallbackValues({ sid: '6364e8b3-bdac-436e-9631-0bce2498ce0', duration: 'ten' });
}
