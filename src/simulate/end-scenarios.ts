import type { Outcome } from '../domain/classify/call-status.js';

/**
 * How one kind of call ends, as LINE Planet would report it: the reason code, the
 * `terminate` cause, the releaser and the debug code. Plausible combinations only
 * (docs/spec/callbacks.md §5); the weights say how often each occurs within its outcome.
 */
export interface EndScenario {
  /** `disconnect_reason` in the current shape, `call_end_reason` in the legacy one. */
  code: number;
  terminate: number;
  /** Current shape: `releaser_type`. Legacy: `initiator`, `responder` or `server` (a VoIP hostname). */
  releaser: number | 'initiator' | 'responder' | 'server';
  relCode: number;
  relCodeStr: string;
  weight: number;
  /** The call ran until the maximum call time. */
  untilMaxTime?: boolean;
  /** The app reports its own reason in `user_rel_code`. */
  userRelCode?: boolean;
}

const CALLEE = 1;
const CALLER = 2;
const SERVER = 4;
const APP_SERVER = 5;

type Row = [code: number, terminate: number, releaser: EndScenario['releaser'], relCode: number, relCodeStr: string, weight: number, extra?: Partial<EndScenario>];

function rows(list: Row[]): EndScenario[] {
  return list.map(([code, terminate, releaser, relCode, relCodeStr, weight, extra]) => ({
    code, terminate, releaser, relCode, relCodeStr, weight, ...extra,
  }));
}

/** Current-shape callbacks: `disconnect_reason` + `releaser_type`. */
export const CURRENT_SCENARIOS: Readonly<Record<Outcome, readonly EndScenario[]>> = {
  completed: rows([
    [1001, 16, CALLER, 1, 'NORMAL', 48],
    [1001, 16, CALLEE, 1, 'NORMAL', 44],
    [1003, 16, CALLEE, 1, 'NORMAL', 3],
    [1208, 16, SERVER, 1, 'NORMAL', 1, { untilMaxTime: true }],
    [1001, 16, APP_SERVER, 1, 'NORMAL', 1],
  ]),
  dropped: rows([
    [1301, 16, SERVER, 6, 'NETWORK_ERROR', 40],
    [1308, 16, CALLER, 6, 'NETWORK_ERROR', 15],
    [1309, 16, CALLEE, 7, 'CLIENT_ERROR', 15],
    [1310, 16, CALLER, 7, 'CLIENT_ERROR', 5],
    [1112, 16, CALLER, 7, 'CLIENT_ERROR', 8],
    [1109, 16, CALLEE, 7, 'CLIENT_ERROR', 5],
    [1110, 16, CALLER, 7, 'CLIENT_ERROR', 4, { userRelCode: true }],
    [1305, 16, SERVER, 8, 'SERVER_ERROR', 5],
    [1399, 16, SERVER, 8, 'SERVER_ERROR', 1], // a code newer than our tables: shown as unknown (1399)
  ]),
  canceled: rows([
    [1201, 77, CALLER, 2, 'CANCEL', 19],
    // A normal code on a call without talk time: the caller hung up first (docs/spec/outcomes.md §1.4).
    [1001, 16, CALLER, 1, 'NORMAL', 1],
  ]),
  rejected: rows([
    [1002, 21, CALLEE, 5, 'DECLINE', 9],
    [1207, 21, CALLEE, 5, 'DECLINE', 1],
  ]),
  busy: rows([
    [1202, 17, CALLEE, 3, 'BUSY', 7],
    [1204, 17, SERVER, 3, 'BUSY', 2],
    [1205, 17, SERVER, 3, 'BUSY', 1],
  ]),
  no_answer: rows([
    [1203, 18, SERVER, 4, 'NO_ANSWER', 19],
    // Answered on another device of the callee: this device never talked.
    [1206, 16, SERVER, 1, 'NORMAL', 1],
  ]),
  failed: rows([
    [1302, 127, SERVER, 9, 'PUSH_ERROR', 35],
    [1303, 127, SERVER, 8, 'SERVER_ERROR', 10],
    [1501, 127, CALLER, 8, 'SERVER_ERROR', 10],
    [1504, 127, SERVER, 8, 'SERVER_ERROR', 8],
    [1509, 127, CALLER, 6, 'NETWORK_ERROR', 12],
    [1511, 127, CALLER, 8, 'SERVER_ERROR', 5],
    [1512, 127, SERVER, 8, 'SERVER_ERROR', 5],
    [1305, 127, SERVER, 8, 'SERVER_ERROR', 10],
    [1399, 127, SERVER, 8, 'SERVER_ERROR', 5],
  ]),
};

/** Legacy-shape callbacks (the seed's): `call_end_reason` + `releaser` + `stid`. */
export const LEGACY_SCENARIOS: Readonly<Record<Outcome, readonly EndScenario[]>> = {
  completed: rows([
    [1004, 16, 'initiator', 1, 'NORMAL', 50],
    [1005, 16, 'responder', 1, 'NORMAL', 45],
    [1014, 16, 'initiator', 1, 'NORMAL', 2],
    [1015, 16, 'responder', 1, 'NORMAL', 3],
  ]),
  dropped: rows([
    [1010, 16, 'initiator', 6, 'NETWORK_ERROR', 30],
    [1011, 16, 'responder', 6, 'NETWORK_ERROR', 30],
    [1016, 16, 'initiator', 7, 'CLIENT_ERROR', 10],
    [1013, 16, 'responder', 7, 'CLIENT_ERROR', 10],
    [1021, 16, 'server', 8, 'SERVER_ERROR', 20],
  ]),
  canceled: rows([
    [1000, 77, 'initiator', 2, 'CANCEL', 9],
    [1004, 16, 'initiator', 1, 'NORMAL', 1],
  ]),
  rejected: rows([
    [1003, 21, 'responder', 5, 'DECLINE', 9],
    // The 2020 documentation's own example: CALLEE_END on a call that never connected.
    [1005, 16, 'responder', 1, 'NORMAL', 1],
  ]),
  busy: rows([
    [1001, 17, 'responder', 3, 'BUSY', 8],
    [1024, 17, 'server', 3, 'BUSY', 2],
  ]),
  no_answer: rows([[1002, 18, 'server', 4, 'NO_ANSWER', 1]]),
  failed: rows([
    [1020, 127, 'server', 9, 'PUSH_ERROR', 40],
    [1018, 127, 'server', 8, 'SERVER_ERROR', 15],
    [1021, 127, 'server', 8, 'SERVER_ERROR', 20],
    [1100, 127, 'server', 8, 'SERVER_ERROR', 25],
  ]),
};

/** Default outcome mix, in percent of calls: roughly what a consumer calling app sees. */
export const DEFAULT_OUTCOME_WEIGHTS: Readonly<Record<Outcome, number>> = {
  completed: 55,
  dropped: 4,
  canceled: 13,
  rejected: 7,
  busy: 5,
  no_answer: 10,
  failed: 6,
};
