/**
 * LINE Planet's release-code tables as data (docs/spec/callbacks.md §5; a test checks that the two agree).
 * `disconnect_reason` and legacy `call_end_reason` share numbers with different
 * meanings, so each has its own table; never look one up in the other.
 *
 * Bump {@link CLASSIFIER_VERSION} whenever a table or a rule changes: stored calls
 * classified by an older version are then reclassified.
 */
export const CLASSIFIER_VERSION = 3;

/**
 * What changed in each version, newest first: kept so that an operator who sees
 * calls being reclassified can tell why.
 */
export const CLASSIFIER_CHANGES: ReadonlyArray<{ version: number; change: string }> = [
  {
    version: 3,
    change:
      'connected means talk time only (duration, billing_sec or start_time > 0; legacy 1004/1005 no longer count); ' +
      'a call that never talked but ended with a normal reason is canceled (ended by the caller), rejected (callee) ' +
      'or no_answer (anyone else) instead of completed; a call that talked is completed even when a user-behaviour ' +
      'reason (CANCEL, DECLINE, BUSY, NOANSWER …) decided',
  },
  {
    version: 2,
    change:
      'an unknown disconnect_reason outside the error ranges (1101-1200, 1301-1600), or an unknown legacy ' +
      'call_end_reason, no longer counts as an error: terminate decides the outcome (a new user-behaviour ' +
      'code with terminate=17 is busy, not failed)',
  },
  { version: 1, change: 'first version' },
];

/** What a release code says about how the call ended. */
export type ReasonKind = 'normal' | 'cancel' | 'reject' | 'busy' | 'no_answer' | 'error';

export interface CodeInfo {
  name: string;
  kind: ReasonKind;
  meaning: string;
}

function table(rows: Array<[number, string, ReasonKind, string]>): ReadonlyMap<number, CodeInfo> {
  return new Map(rows.map(([code, name, kind, meaning]) => [code, { name, kind, meaning }]));
}

/** §5.3: the current `disconnect_reason`. */
export const DISCONNECT_REASONS = table([
  [1001, 'NORMAL', 'normal', 'ended without error'],
  [1002, 'DECLINE', 'reject', 'the callee declined the call'],
  [1003, 'CELL_CALL', 'normal', 'a cellular call arrived during the call'],
  [1101, 'AUDIO_TX_NO_SRC', 'error', 'no audio source on the local side (retired code)'],
  [1102, 'AUDIO_TX_NO_SRC', 'error', 'no audio source on the remote side (retired code)'],
  [1103, 'INTERNAL_ERROR', 'error', 'internal error on the local side (retired code)'],
  [1104, 'INTERNAL_ERROR', 'error', 'internal error on the remote side (retired code)'],
  [1105, 'USER_ERROR', 'error', 'app-defined error on the local side (retired code)'],
  [1106, 'USER_ERROR', 'error', 'app-defined error on the remote side (retired code)'],
  [1107, 'INTERNAL_KIT_ERROR', 'error', 'OS-specific error on the local side (retired code)'],
  [1108, 'INTERNAL_KIT_ERROR', 'error', 'OS-specific error on the remote side (retired code)'],
  [1109, 'INTERNAL_ERROR', 'error', 'an internal error'],
  [1110, 'USER_ERROR', 'error', 'an app-defined error (see user_rel_code)'],
  [1111, 'INTERNAL_KIT_ERROR', 'error', 'an OS-specific error'],
  [1112, 'AUDIO_TX_NO_SRC', 'error', 'the microphone produced no audio for a while'],
  [1201, 'CANCEL', 'cancel', 'the caller hung up before the answer'],
  [1202, 'BUSY', 'busy', 'the callee was already in a call'],
  [1203, 'NOANSWER', 'no_answer', 'nobody answered within 60 seconds'],
  [1204, 'ALREADY_GOT_A_CALL', 'busy', 'an incoming call was already pending'],
  [1205, 'MULTIDEV_IN_USE', 'busy', 'the same user was in a call on another device'],
  [1206, 'MULTIDEV_ANSWER', 'normal', 'the callee answered on another device'],
  [1207, 'MULTIDEV_DECLINE', 'reject', 'the callee declined on another device'],
  [1208, 'MAX_CALL_TIME_EXCEEDED', 'normal', 'the maximum call time was reached'],
  [1301, 'NETWORK_UNSTABLE', 'error', 'the network was too poor to keep the call'],
  [1302, 'PUSH_ERROR', 'error', 'the Notify callback failed or could not be called'],
  [1303, 'AUTH_ERROR', 'error', 'authentication failed'],
  [1304, 'RELEASED_CALL', 'error', 'the call was already released'],
  [1305, 'SERVER_INTERNAL_ERROR', 'error', 'a LINE Planet server internal error'],
  [1306, 'RETIRED_1306', 'error', 'a retired server error code'],
  [1307, 'RETIRED_1307', 'error', 'a retired server error code'],
  [1308, 'UNAVAILABLE_NETWORK', 'error', 'the network was unavailable'],
  [1309, 'APP_DESTROY', 'error', 'the app was killed or the device turned off'],
  [1310, 'SYSTEM_SLEEP', 'error', 'the device went to sleep'],
  [1311, 'SYSTEM_LOGOFF', 'error', 'the OS session logged off'],
  [1312, 'MTU_EXCEEDED', 'error', 'the MTU was exceeded'],
  [1313, 'APP_SERVER_DATA_ERROR', 'error', 'the cloud could not deliver app server data'],
  [1314, 'DESKTOP_SCREEN_LOCKED', 'error', 'the desktop screen was locked'],
  [1401, 'ROOM_IS_FULL', 'error', 'the room was full'],
  [1402, 'ALONE_KICK_OUT', 'error', 'the participant was alone in the room too long'],
  [1403, 'RETIRED_1403', 'error', 'a retired group-call code'],
  [1404, 'ROOM_NOT_FOUND', 'error', 'the room was gone before the join completed'],
  [1405, 'ANOTHER_INSTANCE_TRY_TO_JOIN', 'error', 'replaced by a join from another instance'],
  [1501, 'SERVICE_ACCESS_TOKEN_ERROR', 'error', 'the access token was invalid'],
  [1502, 'SERVICE_INVALID_ID', 'error', 'a service or user id had an invalid character'],
  [1503, 'SERVICE_MAINTENANCE', 'error', 'the service was under maintenance'],
  [1504, 'SERVICE_BUSY', 'error', 'the gateway was busy'],
  [1505, 'SERVICE_INTERNAL_ERROR', 'error', 'a gateway internal error'],
  [1506, 'SERVICE_HTTP_ERROR', 'error', 'the client could not make the HTTP request'],
  [1507, 'SERVICE_HTTP_CONNECTION_TIME_OUT', 'error', 'the HTTP connection timed out'],
  [1508, 'SERVICE_HTTP_INVALID_PEER_CERT', 'error', 'the TLS certificate was invalid'],
  [1509, 'SERVICE_HTTP_CONNECT_FAIL', 'error', 'the HTTP connection failed'],
  [1510, 'SERVICE_HTTP_INVALID_URL', 'error', 'a bad URL or an unresolvable host'],
  [1511, 'SERVICE_INCOMPATIBLE_PLANETKIT_VER', 'error', 'the PlanetKit SDK was too old'],
  [1512, 'SERVICE_TOO_MANY_REQUESTS', 'error', 'too many call attempts'],
]);

/** §5.4: the legacy `call_end_reason` of the 2020 callback. */
export const LEGACY_CALL_END_REASONS = table([
  [1000, 'CALLER_CANCEL', 'cancel', 'the caller canceled before the answer'],
  [1001, 'CALLEE_BUSY', 'busy', 'the callee was busy'],
  [1002, 'CALLEE_NO_ANSWER', 'no_answer', 'the callee did not answer'],
  [1003, 'CALLEE_REJECT', 'reject', 'the callee rejected the call'],
  [1004, 'CALLER_END', 'normal', 'the caller ended the call'],
  [1005, 'CALLEE_END', 'normal', 'the callee ended the call'],
  [1010, 'CALLER_NETWORK_ERROR', 'error', "a network error on the caller's side"],
  [1011, 'CALLEE_NETWORK_ERROR', 'error', "a network error on the callee's side"],
  [1012, 'CALLER_DEVICE_ERROR', 'error', "a speaker, microphone or camera error on the caller's side"],
  [1013, 'CALLEE_DEVICE_ERROR', 'error', "a speaker, microphone or camera error on the callee's side"],
  [1014, 'CALLER_PHONECALL_EVT', 'normal', 'a cellular call arrived for the caller'],
  [1015, 'CALLEE_PHONECALL_EVT', 'normal', 'a cellular call arrived for the callee'],
  [1016, 'CALLER_SYSTEM_ERROR', 'error', "an OS error on the caller's side"],
  [1017, 'CALLEE_SYSTEM_ERROR', 'error', "an OS error on the callee's side"],
  [1018, 'CALLER_AUTH_FAIL', 'error', 'authentication of the caller failed'],
  [1019, 'CALLEE_AUTH_FAIL', 'error', 'authentication of the callee failed'],
  [1020, 'PUSH_ERROR', 'error', 'the Notify callback failed'],
  [1021, 'SERVER_INTERNAL_ERROR', 'error', 'a VoIP server error'],
  [1022, 'CALLER_INTERNAL_ERROR', 'error', "an internal error on the caller's side"],
  [1023, 'CALLEE_INTERNAL_ERROR', 'error', "an internal error on the callee's side"],
  [1024, 'OTHER_DEV_IN_USE', 'busy', 'another device of the user was in a call'],
  [1025, 'CALLER_PROTOCOL_ERROR', 'error', "a protocol error on the caller's side"],
  [1026, 'CALLEE_PROTOCOL_ERROR', 'error', "a protocol error on the callee's side"],
  [1100, 'UNKNOWN_ERROR', 'error', 'an unclassified error'],
]);

/** §5.1: `terminate`, the simplified Q.850 cause. */
export const TERMINATE_CAUSES = table([
  [16, 'NORMAL_CLEARING', 'normal', 'normal release'],
  [17, 'USER_BUSY', 'busy', 'the callee was busy'],
  [18, 'NO_USER_RESPONSE', 'no_answer', 'nobody answered'],
  [21, 'CALL_REJECTED', 'reject', 'the callee rejected the call'],
  [77, 'CANCELED', 'cancel', 'the call was canceled before the answer'],
  [127, 'INTERWORKING', 'error', 'another cause (an error)'],
]);

/** Who ended the call, as the status reports it. */
export type EndedBy = 'caller' | 'callee' | 'server' | 'app_server' | 'participant' | 'unknown';

/** §5.2: `releaser_type`, the disconnect source. */
export const RELEASER_TYPES: ReadonlyMap<number, { name: string; endedBy: EndedBy }> = new Map([
  [0, { name: 'UNDEFINED', endedBy: 'unknown' }],
  [1, { name: 'CALLEE', endedBy: 'callee' }],
  [2, { name: 'CALLER', endedBy: 'caller' }],
  [3, { name: 'GROUP_PARTICIPANT', endedBy: 'participant' }],
  [4, { name: 'CLOUD_SERVER', endedBy: 'server' }],
  [5, { name: 'APP_SERVER', endedBy: 'app_server' }],
]);

/**
 * §5.3's ranges of disconnect_reason that hold only errors: a code in them that this
 * version does not know is still an error. Unknown codes elsewhere defer to terminate.
 */
export const DISCONNECT_REASON_ERROR_RANGES: ReadonlyArray<readonly [number, number]> = [
  [1101, 1200],
  [1301, 1600],
];

/** The display name of a code that is in no table. */
export function unknownCodeName(code: number): string {
  return `unknown (${code})`;
}
