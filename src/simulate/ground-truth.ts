import type { CallEvent } from '../domain/call-event.js';
import type { CallStatus } from '../domain/classify/call-status.js';
import type { Defect } from './malform-callback.js';

/** The `format` of the first line of every ground-truth file. */
export const GROUND_TRUTH_FORMAT = 'callevt-ground-truth';
export const GROUND_TRUTH_VERSION = 1;

/** First line: how the traffic was made. */
export interface TruthMeta {
  kind: 'meta';
  format: typeof GROUND_TRUTH_FORMAT;
  version: typeof GROUND_TRUTH_VERSION;
  seed: string;
  epoch: number;
  span_sec: number;
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

/** Last line: the counts of what was sent. */
export interface TruthTotals {
  kind: 'totals';
  calls: number;
  malformed: number;
  duplicates_sent: number;
  conflicts_sent: number;
  requests: number;
  unacknowledged: number;
}

export type TruthLine = TruthMeta | TruthCall | TruthMalformed | TruthTotals;

/** A whole ground-truth file, read back. */
export interface GroundTruth {
  meta: TruthMeta;
  calls: TruthCall[];
  malformed: TruthMalformed[];
  totals: TruthTotals;
}

/** The totals line that goes with these calls and malformed requests. */
export function totalsOf(calls: readonly TruthCall[], malformed: readonly TruthMalformed[]): TruthTotals {
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
  };
}

/** The ground truth as NDJSON lines (each ends with a newline): meta, calls, malformed, totals. */
export function* groundTruthLines(truth: GroundTruth): Generator<string> {
  yield `${JSON.stringify(truth.meta)}\n`;
  for (const call of truth.calls) yield `${JSON.stringify(call)}\n`;
  for (const bad of truth.malformed) yield `${JSON.stringify(bad)}\n`;
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
      if (value.format !== GROUND_TRUTH_FORMAT || value.version !== GROUND_TRUTH_VERSION) {
        throw new Error(`ground truth line ${i + 1}: not a ${GROUND_TRUTH_FORMAT} v${GROUND_TRUTH_VERSION} file`);
      }
      meta = value;
    } else if (value.kind === 'call') calls.push(value);
    else if (value.kind === 'malformed') malformed.push(value);
    else if (value.kind === 'totals') totals = value;
    else throw new Error(`ground truth line ${i + 1} has an unknown kind`);
  });
  if (meta === null) throw new Error(`not a ground-truth file: no "${GROUND_TRUTH_FORMAT}" meta line`);
  if (totals === null) throw new Error('the ground-truth file is incomplete: no totals line');
  return { meta, calls, malformed, totals };
}
