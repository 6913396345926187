import type { CallEvent } from '../domain/call-event.js';
import { callbackValues, toQueryString } from './callback-query.js';
import type { Random } from './random.js';

/** A malformed callback: the exact query sent, and the fields callevt must name as bad. */
export interface MalformedCallback {
  query: string;
  defect: Defect;
  /** Fields the quarantine entry's reasons must include. */
  fields: string[];
}

export const DEFECTS = [
  'short_sid',
  'missing_field',
  'bad_type',
  'milliseconds',
  'negative_duration',
  'bad_ip',
  'not_a_number',
  'repeated_key',
  'bad_percent_encoding',
] as const;
export type Defect = (typeof DEFECTS)[number];

const DROPPABLE = ['to_user_id', 'setup_time', 'terminate', 'srcip', 'rel_code_str', 'end_time'] as const;

/**
 * Breaks one thing in an otherwise valid callback, the way buggy proxies, old SDKs or
 * attackers do. Each defect must make callevt refuse and quarantine the request.
 */
export function malformCallback(random: Random, event: CallEvent): MalformedCallback {
  const defect = random.pick(DEFECTS);
  const pairs = callbackValues(event);
  const set = (field: string, value: string) => {
    const pair = pairs.find(([k]) => k === field);
    if (pair) pair[1] = value;
    else pairs.push([field, value]);
  };
  switch (defect) {
    case 'short_sid':
      set('sid', event.sid.slice(0, 35));
      return done(pairs, defect, ['sid']);
    case 'missing_field': {
      const field = random.pick(DROPPABLE);
      return done(pairs.filter(([k]) => k !== field), defect, [field]);
    }
    case 'bad_type':
      set('type', random.pick(['X', 'audio', 'v']));
      return done(pairs, defect, ['type']);
    case 'milliseconds':
      set('setup_time', `${event.setup_time}000`);
      return done(pairs, defect, ['setup_time']);
    case 'negative_duration':
      set('duration', '-5');
      return done(pairs, defect, ['duration']);
    case 'bad_ip':
      set('srcip', random.pick(['1.2.3.999', 'not-an-ip', '10.0.0']));
      return done(pairs, defect, ['srcip']);
    case 'not_a_number':
      set('terminate', random.pick(['normal', '16.0', '0x10']));
      return done(pairs, defect, ['terminate']);
    case 'repeated_key':
      return { query: `${toQueryString(pairs)}&type=${event.type === 'A' ? 'V' : 'A'}`, defect, fields: ['type'] };
    case 'bad_percent_encoding':
      return { query: `${toQueryString(pairs)}&rel_code_str=%E0%A4%A`, defect, fields: ['rel_code_str'] };
  }
}

function done(pairs: Array<[string, string]>, defect: Defect, fields: string[]): MalformedCallback {
  return { query: toQueryString(pairs), defect, fields };
}
