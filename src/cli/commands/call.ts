import type { Command } from 'commander';
import { CALL_EVENT_FIELDS, type CallEvent } from '../../domain/call-event.js';
import { type CallJson, openCallSource, type SourceOptions } from '../api-client.js';
import { type CallHistory, readCallHistory } from '../call-history.js';
import { formatCallLife, readCallLife } from '../call-life.js';
import { addSourceOptions, formatDuration, formatTime, timeZoneOf } from './calls.js';
import { plural } from '../../domain/plural.js';

interface CallOptions extends SourceOptions {
  json?: boolean;
  tz?: string;
}

/** `callevt call <sid>`: one call's full status, explained. */
export function registerCall(program: Command): void {
  const command = program
    .command('call')
    .description('show one call: its outcome, who ended it, why, the decoded codes, any signals that disagree, its deliveries and conflicting versions, its Notify, relay attempts and timeline (a call notified but not ended too)')
    .argument('<sid>', 'the call id')
    .option('--json', 'print the call as JSON, like GET /api/calls/:sid')
    .option('--tz <zone>', 'time zone for times, e.g. Asia/Tokyo (default: this machine\'s)');
  addSourceOptions(command).action(async (sid: string, options: CallOptions) => {
    const text = await runCall(sid, options);
    if (text === null) {
      process.stderr.write(`callevt: no call with sid ${sid}\n`);
      process.exitCode = 3;
      return;
    }
    process.stdout.write(text);
  });
}

/** The text `callevt call` prints, or null when there is no such call. */
export async function runCall(sid: string, options: CallOptions): Promise<string | null> {
  const tz = timeZoneOf(options.tz);
  const source = await openCallSource(options);
  let call: CallJson | null;
  try {
    call = await source.getCall(sid);
  } finally {
    await source.close();
  }
  const life = await readCallLife(sid, options);
  const time = (iso: string) => formatTime(Date.parse(iso) / 1000, tz);
  if (call === null) {
    // Notified (or an Agent Call Status) but no Call Event yet: its life is all there is.
    if (life === null) return null;
    if (options.json === true) return `${JSON.stringify(life, null, 2)}\n`;
    return `call ${life.sid}: no Call Event yet\n${formatCallLife(life, time)}`;
  }
  if (options.json === true) return `${JSON.stringify(call, null, 2)}\n`;
  const lifeText = life === null ? '' : formatCallLife(life, time);
  return `${formatCallStatus(call, tz)}${formatCallHistory(call, await readCallHistory(sid, options), tz)}${lifeText}`;
}

/**
 * The deliveries of a call (time, source, result) and, for each conflicting version, the
 * fields that differ from the stored call (stored → that version).
 */
export function formatCallHistory(call: CallJson, history: CallHistory, tz: string): string {
  const time = (iso: string) => formatTime(Date.parse(iso) / 1000, tz);
  const lines = [
    '',
    `deliveries (${history.deliveries.length})`,
    ...history.deliveries.map((d) => `  ${time(d.received_at)}  ${d.method.padEnd(4)} ${d.source_ip.padEnd(15)}  ${d.result.padEnd(9)}  raw request ${d.id}`),
  ];
  if (history.conflicts.length > 0) lines.push('', `conflicting versions (${history.conflicts.length}), stored → received`);
  for (const [i, c] of history.conflicts.entries()) {
    lines.push(`  version ${i + 2}, received ${time(c.received_at)} (raw request ${c.raw_request_id})`);
    const width = Math.max(...c.differs.map((f) => f.length), 0);
    for (const field of c.differs) {
      lines.push(`    ${field.padEnd(width)}  ${shownValue(fieldValueOf(call, field))} → ${shownValue(fieldValueOf(c.event, field))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A field of a call or version: a LINE Planet field, else an unknown key kept in `extra`. */
function fieldValueOf(event: CallJson | CallEvent, field: string): unknown {
  const values = event as Record<string, unknown>;
  if ((CALL_EVENT_FIELDS as readonly string[]).includes(field)) return values[field];
  return (values.extra as Record<string, string> | undefined)?.[field];
}

function shownValue(value: unknown): string {
  return value === null || value === undefined ? '(absent)' : typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** The code fields the status decodes, in the order they are shown. */
const DECODED_FIELDS = ['terminate', 'disconnect_reason', 'call_end_reason', 'releaser_type'] as const;

/** The human form of one call and its status. */
export function formatCallStatus(call: CallJson, tz: string): string {
  const s = call.status;
  const time = (t: unknown) => (Number(t) > 0 ? formatTime(Number(t), tz) : '-');
  const lines = [
    `call ${call.sid} (${call.type === 'A' ? 'audio' : 'video'})`,
    `  caller     ${String(call.from_user_id)} @ ${String(call.from_service_id)}  ${String(call.srcip)}`,
    `  callee     ${String(call.to_user_id)} @ ${String(call.to_service_id)}  ${String(call.dstip)}`,
    `  setup      ${time(call.setup_time)}`,
    `  start      ${time(call.start_time)}`,
    `  end        ${time(call.end_time)}`,
    `  duration   ${formatDuration(Number(call.duration))}${call.billing_sec === null ? '' : `  (billing ${String(call.billing_sec)} s)`}`,
    '',
    `outcome      ${s.outcome}${s.connected ? ' (connected)' : ' (never connected)'}`,
    `ended by     ${s.ended_by}`,
    `reason       ${s.reason}  (from ${s.reason_source})`,
    `explanation  ${s.explanation}`,
    '',
    'decoded codes',
    ...DECODED_FIELDS.map((field) => {
      const d = s.decoded[field];
      return `  ${field.padEnd(18)} ${d === null ? '-' : `${d.code}  ${d.name}: ${d.meaning}`}`;
    }),
    ...(call.releaser === null ? [] : [`  ${'releaser'.padEnd(18)} ${String(call.releaser)}`]),
    ...(call.user_rel_code === null ? [] : [`  ${'user_rel_code'.padEnd(18)} ${String(call.user_rel_code)}`]),
    `  ${'rel_code'.padEnd(18)} ${String(call.rel_code)}  ${String(call.rel_code_str)}`,
    '',
    s.inconsistencies.length === 0 ? 'no inconsistencies' : 'inconsistencies',
    ...s.inconsistencies.map((i) => `  - ${i.code}: ${i.message}`),
    ...(Number(call.conflicts) > 0 ? ['', `${plural(Number(call.conflicts), 'conflicting version')} of this sid arrived after the first`] : []),
    '',
    `classifier v${s.classifier_version}; received ${String(call.received_at)}`,
  ];
  return `${lines.join('\n')}\n`;
}
