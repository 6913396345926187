import type { CallEvent } from '../domain/call-event.js';
import type { CallStatus } from '../domain/classify/call-status.js';
import type { Defect } from './malform-callback.js';

/** The `format` of the first line of every ground-truth file. */
export const GROUND_TRUTH_FORMAT = 'callevt-ground-truth';
export const GROUND_TRUTH_VERSION = 2;
/** Versions this callevt reads: 1 had no lifecycle lines. */
const READABLE_VERSIONS: readonly number[] = [1, 2];

/** First line: how the traffic was made. */
export interface TruthMeta {
  kind: 'meta';
  format: typeof GROUND_TRUTH_FORMAT;
  version: 1 | typeof GROUND_TRUTH_VERSION;
  seed: string;
  epoch: number;
  span_sec: number;
  /** Present when the run sent the whole sequence (`--lifecycle`). */
  lifecycle?: {
    /** The stand-in push handler ran: every relay outcome is known. */
    push_handler: boolean;
  };
}

/** One unique call: the version callevt must keep (the first delivered) and its status. */
export interface TruthCall {
  kind: 'call';
  sid: string;
  fields: CallEvent;
  expected: Pick<CallStatus, 'outcome' | 'ended_by' | 'reason' | 'reason_source'>;
  shape: 'current' | 'legacy';
  late: boolean;
  /** Whether callevt answered 2xx to the first delivery. */
  acknowledged: boolean;
  /** Identical re-deliveries answered 2xx. */
  duplicates_sent: number;
  /** Different versions of the same sid answered 2xx: callevt must count them as conflicts. */
  conflicts_sent: number;
}

/** One malformed request: callevt must keep it in quarantine, naming these fields. */
export interface TruthMalformed {
  kind: 'malformed';
  query: string;
  defect: Defect;
  fields: string[];
  /** The status callevt answered, or null when no answer came. */
  status: number | null;
}

/** The verdict callevt's push diagnosis must give a PUSH_ERROR call (docs/api.md, lifecycle). */
export type ExpectedDiagnosis = 'notify_not_received' | 'push_handler' | 'other';

/**
 * One call's whole sequence (`--lifecycle`): what was sent of it and what callevt
 * answered. Its Call Event, when sent, is also a `call` line. Times are Unix milliseconds
 * of the simulator's clock.
 */
export interface TruthLife {
  kind: 'life';
  sid: string;
  /** A late call: its Notify came long before this run (none is sent). */
  late: boolean;
  notify: {
    /** `sent`; `undeliverable`: LINE Planet could not deliver it; `before_window`: a late call. */
    delivery: 'sent' | 'undeliverable' | 'before_window';
    /** The values sent (sid, parties, type, param, stid, app_svr_data); null when not sent. */
    fields: Record<string, string> | null;
    sent_at: number | null;
    answered_at: number | null;
    /** The status callevt answered; null when not sent, or when no answer came. */
    status: number | null;
    /** The stand-in push handler's verdict: the relay outcome callevt must record; null without one. */
    expected_relay: 'ok' | 'http_error' | 'timeout' | null;
  };
  agent_call_status: null | {
    /** `result` as sent (`SUCCESS`, `Success` or `FAIL`). */
    result_sent: string;
    result: 'SUCCESS' | 'FAIL';
    /** As sent: `None` on success. */
    fail_reason_sent: string;
    sent_at: number;
    answered_at: number | null;
    status: number | null;
  };
  end: {
    /** False for a lost end event (never sent). */
    sent: boolean;
    /** The end event's first delivery was answered 2xx. */
    acknowledged: boolean;
    /** The end event says 1302 PUSH_ERROR (or legacy 1020). */
    push_error: boolean;
    /** The call's setup_time as sent (or as it would have been). */
    setup_time: number;
  };
  /** For a PUSH_ERROR call whose end was sent, the diagnosis callevt must give; else null. */
  expected_diagnosis: ExpectedDiagnosis | null;
}

/** Last line: the counts of what was sent. */
export interface TruthTotals {
  kind: 'totals';
  calls: number;
  malformed: number;
  duplicates_sent: number;
  conflicts_sent: number;
  requests: number;
  unacknowledged: number;
  /** With `--lifecycle`: the other callbacks of the sequence. */
  lifecycle?: { notifies_sent: number; notifies_undeliverable: number; agent_call_statuses_sent: number; ends_lost: number };
}

export type TruthLine = TruthMeta | TruthCall | TruthMalformed | TruthLife | TruthTotals;

/** A whole ground-truth file, read back. */
export interface GroundTruth {
  meta: TruthMeta;
  calls: TruthCall[];
  malformed: TruthMalformed[];
  /** One per call of a `--lifecycle` run (empty otherwise). */
  lives: TruthLife[];
  totals: TruthTotals;
}

/** The totals line that goes with these calls and malformed requests (and lives, with `--lifecycle`). */
export function totalsOf(calls: readonly TruthCall[], malformed: readonly TruthMalformed[], lives: readonly TruthLife[] | null = null): TruthTotals {
  const duplicates = calls.reduce((n, c) => n + c.duplicates_sent, 0);
  const conflicts = calls.reduce((n, c) => n + c.conflicts_sent, 0);
  return {
    kind: 'totals',
    calls: calls.length,
    malformed: malformed.length,
    duplicates_sent: duplicates,
    conflicts_sent: conflicts,
    requests: calls.length + malformed.length + duplicates + conflicts,
    unacknowledged: calls.filter((c) => !c.acknowledged).length,
    ...(lives === null
      ? {}
      : {
          lifecycle: {
            notifies_sent: lives.filter((l) => l.notify.sent_at !== null).length,
            notifies_undeliverable: lives.filter((l) => l.notify.delivery === 'undeliverable').length,
            agent_call_statuses_sent: lives.filter((l) => l.agent_call_status !== null).length,
            ends_lost: lives.filter((l) => !l.end.sent).length,
          },
        }),
  };
}

/** The ground truth as NDJSON lines (each ends with a newline): meta, calls, malformed, lives, totals. */
export function* groundTruthLines(truth: GroundTruth): Generator<string> {
  yield `${JSON.stringify(truth.meta)}\n`;
  for (const call of truth.calls) yield `${JSON.stringify(call)}\n`;
  for (const bad of truth.malformed) yield `${JSON.stringify(bad)}\n`;
  for (const life of truth.lives) yield `${JSON.stringify(life)}\n`;
  yield `${JSON.stringify(truth.totals)}\n`;
}

/**
 * Reads a ground-truth file. Throws an Error naming the line when the text is not one
 * (wrong format, bad JSON, missing meta or totals).
 */
export function parseGroundTruth(text: string): GroundTruth {
  let meta: TruthMeta | null = null;
  let totals: TruthTotals | null = null;
  const calls: TruthCall[] = [];
  const malformed: TruthMalformed[] = [];
  const lives: TruthLife[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: TruthLine;
    try {
      value = JSON.parse(line) as TruthLine;
    } catch {
      throw new Error(`ground truth line ${i + 1} is not JSON`);
    }
    if (value.kind === 'meta') {
      if (value.format !== GROUND_TRUTH_FORMAT || !READABLE_VERSIONS.includes(value.version)) {
        throw new Error(`ground truth line ${i + 1}: not a ${GROUND_TRUTH_FORMAT} file of version ${READABLE_VERSIONS.join(' or ')}`);
      }
      meta = value;
    } else if (value.kind === 'call') calls.push(value);
    else if (value.kind === 'malformed') malformed.push(value);
    else if (value.kind === 'life') lives.push(value);
    else if (value.kind === 'totals') totals = value;
    else throw new Error(`ground truth line ${i + 1} has an unknown kind`);
  });
  if (meta === null) throw new Error(`not a ground-truth file: no "${GROUND_TRUTH_FORMAT}" meta line`);
  if (totals === null) throw new Error('the ground-truth file is incomplete: no totals line');
  return { meta, calls, malformed, lives, totals };
}
