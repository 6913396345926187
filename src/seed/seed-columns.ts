import type { SeedCall } from './seed-generator.js';

/** The numeric fields of a seed call, in their column order (null is stored as NaN). */
export const SEED_NUMBER_FIELDS = [
  'setup_time', 'start_time', 'end_time', 'duration', 'billing_sec', 'terminate', 'disconnect_reason', 'releaser_type', 'classifier_version',
] as const satisfies ReadonlyArray<keyof SeedCall>;

/** The text fields of a seed call but the sid, in their column order (each an index into the string table). */
export const SEED_STRING_FIELDS = [
  'from_service_id', 'from_user_id', 'to_service_id', 'to_user_id', 'type', 'rel_code_str', 'outcome', 'ended_by', 'reason', 'reason_source',
] as const satisfies ReadonlyArray<keyof SeedCall>;

/**
 * A chunk of seed calls as flat columns, cheap to hand from a worker thread to another:
 * two transferable buffers and one string, instead of one cloned object per call. The
 * text fields repeat a few values (services, codes, user names), so each is an index into
 * a string table that both ends grow in the same order from `newStrings`.
 */
export interface SeedCallColumns {
  count: number;
  /** The sids, joined by '\n'. */
  sids: string;
  /** SEED_NUMBER_FIELDS of each call, call after call. */
  numbers: Float64Array<ArrayBuffer>;
  /** SEED_STRING_FIELDS of each call as string-table indexes, call after call. */
  strings: Int32Array<ArrayBuffer>;
  /** The strings first met in this chunk, appended to the string table in this order. */
  newStrings: string[];
}

/** Encodes chunks of calls one after another (the string table carries over from chunk to chunk). */
export function createSeedColumnsEncoder(): (calls: readonly SeedCall[]) => SeedCallColumns {
  const table = new Map<string, number>();
  return (calls) => {
    const numbers = new Float64Array(calls.length * SEED_NUMBER_FIELDS.length);
    const strings = new Int32Array(calls.length * SEED_STRING_FIELDS.length);
    const newStrings: string[] = [];
    const sids: string[] = [];
    const intern = (value: string): number => {
      let index = table.get(value);
      if (index === undefined) {
        index = table.size;
        table.set(value, index);
        newStrings.push(value);
      }
      return index;
    };
    // Field by field in SEED_NUMBER_FIELDS and SEED_STRING_FIELDS order (named reads: a loop over the names is slower).
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i] as SeedCall;
      if (call.sid.includes('\n')) throw new Error(`seed sid with a line break: ${JSON.stringify(call.sid)}`);
      sids.push(call.sid);
      const n = i * SEED_NUMBER_FIELDS.length;
      numbers[n] = call.setup_time;
      numbers[n + 1] = call.start_time;
      numbers[n + 2] = call.end_time;
      numbers[n + 3] = call.duration;
      numbers[n + 4] = call.billing_sec ?? Number.NaN;
      numbers[n + 5] = call.terminate;
      numbers[n + 6] = call.disconnect_reason;
      numbers[n + 7] = call.releaser_type;
      numbers[n + 8] = call.classifier_version;
      const s = i * SEED_STRING_FIELDS.length;
      strings[s] = intern(call.from_service_id);
      strings[s + 1] = intern(call.from_user_id);
      strings[s + 2] = intern(call.to_service_id);
      strings[s + 3] = intern(call.to_user_id);
      strings[s + 4] = intern(call.type);
      strings[s + 5] = intern(call.rel_code_str);
      strings[s + 6] = intern(call.outcome);
      strings[s + 7] = intern(call.ended_by);
      strings[s + 8] = intern(call.reason);
      strings[s + 9] = intern(call.reason_source);
    }
    return { count: calls.length, sids: sids.join('\n'), numbers, strings, newStrings };
  };
}
