import type { Command } from 'commander';
import { csvHeader, callJsonToCsvLine } from '../../domain/call-log/call-csv.js';
import type { FilterQuery } from '../../domain/parse-call-filter.js';
import { type CallJson, type CallJsonPage, openCallSource, type SourceOptions } from '../api-client.js';
import { formatLifecycleList, readLifecycleList } from '../call-life.js';

/** The help of `--raw`, for every command that writes CSV. */
export const RAW_HELP = 'write CSV cells that start with = + - @ tab or CR as stored (default: prefixed with \' so that a spreadsheet does not run them as formulas)';

/** What a command writing raw CSV says on stderr. */
export const RAW_NOTE = 'callevt: --raw: cells starting with = + - @ tab or CR are written as stored; a spreadsheet may run them as formulas\n';

/** The filter flags, named like the API's parameters with dashes (`--from-user-id`). */
const FILTER_FLAGS: Array<[flag: string, param: string, help: string]> = [
  ['--from <time>', 'from', 'window start, inclusive: Unix seconds, ISO-8601 or relative like -24h'],
  ['--to <time>', 'to', 'window end, exclusive'],
  ['--time-field <field>', 'time_field', 'setup_time (default) or end_time'],
  ['--user <id>', 'user', 'a user id, as caller or callee'],
  ['--from-user-id <id>', 'from_user_id', "the caller's user id"],
  ['--to-user-id <id>', 'to_user_id', "the callee's user id"],
  ['--from-service-id <id>', 'from_service_id', "the caller's service id"],
  ['--to-service-id <id>', 'to_service_id', "the callee's service id"],
  ['--type <A|V>', 'type', 'A audio, V video'],
  ['--reason <name>', 'reason', 'decisive reason, e.g. NETWORK_UNSTABLE'],
  ['--ended-by <who>', 'ended_by', 'caller, callee, server, app_server, participant or unknown'],
  ['--min-duration <sec>', 'min_duration', 'least duration in seconds'],
  ['--max-duration <sec>', 'max_duration', 'most duration in seconds'],
];

/** Adds the filter flags and the connection flags to a command. */
export function addCallFilterOptions(command: Command): Command {
  for (const [flag, , help] of FILTER_FLAGS) command.option(flag, help);
  command.option('--outcome <outcome>', 'completed, dropped, canceled, rejected, busy, no_answer, failed (repeat or comma-separate)', collect, []);
  return addSourceOptions(command);
}

/** `--db`, or `--url` with `--token`: where calls are read. */
export function addSourceOptions(command: Command): Command {
  return command
    .option('--db <url>', 'database: a SQLite file path or a postgres:// URL (env DATABASE_URL; default ./data/callevt.db)')
    .option('--url <url>', 'read from a running callevt server instead, e.g. http://127.0.0.1:8080 (env CALLEVT_URL)')
    .option('--token <token>', 'API token for --url (env CALLEVT_TOKEN)');
}

/** The API query a command's parsed flags stand for. */
export function filterQueryOf(options: Record<string, unknown>): FilterQuery {
  const query: Record<string, string | string[]> = queryOfFlags(FILTER_FLAGS, options);
  const outcomes = options.outcome;
  if (Array.isArray(outcomes) && outcomes.length > 0) query.outcome = outcomes as string[];
  return query;
}

/** The API parameters of the flags given: each flag's value (commander's camelCase key) under its parameter's name. */
export function queryOfFlags(flags: ReadonlyArray<readonly [flag: string, param: string, help: string]>, options: Record<string, unknown>): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [flag, param] of flags) {
    const key = (flag.split(' ')[0] ?? '').slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = options[key];
    if (typeof value === 'string') query[param] = value;
  }
  return query;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export interface CallsOptions extends SourceOptions {
  /** The filter flags (camelCase, as commander names them). */
  [flag: string]: unknown;
  json?: boolean;
  csv?: boolean;
  raw?: boolean;
  tz?: string;
  limit: string;
  cursor?: string;
}

/** `callevt calls`: one page of the call log as a table, JSON or CSV. */
export function registerCalls(program: Command): void {
  const command = program
    .command('calls')
    .description('list calls, newest first, with their outcome and reason (from the database or a running server)')
    .option('--json', 'print the page as JSON, like GET /api/calls')
    .option('--csv', 'print the page as CSV, like the export')
    .option('--raw', `with --csv: ${RAW_HELP}`)
    .option('--tz <zone>', 'time zone for the table, e.g. Asia/Tokyo (default: this machine\'s)')
    .option('--limit <n>', 'calls to show, 1..1000', '50')
    .option('--cursor <cursor>', 'continue after a previous page (printed at its end)')
    .option('--lifecycle <state>', 'instead of the call log: end_missing (notified, no Call Event within CALL_EVENT_DEADLINE) or notify_missing (a Call Event without a Notify)');
  addCallFilterOptions(command).action(async (options: CallsOptions) => {
    if (options.csv === true && options.raw === true) process.stderr.write(RAW_NOTE);
    process.stdout.write(await runCalls(options));
  });
}

/** The text `callevt calls` prints, for the given flags. */
export async function runCalls(options: CallsOptions): Promise<string> {
  const tz = timeZoneOf(options.tz);
  const limit = pageLimitOf(options.limit);
  if (options.lifecycle !== undefined) return runLifecycleList(String(options.lifecycle), limit, options, tz);
  const source = await openCallSource(options);
  let page: CallJsonPage;
  try {
    page = await source.listCalls(filterQueryOf(options), limit, options.cursor);
  } finally {
    await source.close();
  }
  if (options.json === true) return `${JSON.stringify(page, null, 2)}\n`;
  if (options.csv === true) return csvHeader() + page.items.map((call) => callJsonToCsvLine(call, { raw: options.raw === true })).join('');
  return formatCallTable(page.items, tz) + (page.next_cursor === null ? '' : `\nmore: --cursor ${page.next_cursor}\n`);
}

/** `callevt calls --lifecycle <state>`: the calls with a gap in their life. */
async function runLifecycleList(state: string, limit: number, options: CallsOptions, tz: string): Promise<string> {
  if (state !== 'end_missing' && state !== 'notify_missing') throw new Error(`--lifecycle must be end_missing or notify_missing (got "${state}")`);
  const list = await readLifecycleList(state, limit, options);
  if (options.json === true) return `${JSON.stringify(list, null, 2)}\n`;
  return formatLifecycleList(list, (iso) => formatTime(Date.parse(iso) / 1000, tz));
}

const HEADINGS = ['time', 'caller', 'callee', 'type', 'duration', 'outcome', 'reason'];

/** A readable table: setup time in `tz`, parties, type, duration, outcome and reason. */
export function formatCallTable(calls: readonly CallJson[], tz: string): string {
  if (calls.length === 0) return 'no calls match\n';
  const rows = calls.map((c) => [
    formatTime(Number(c.setup_time), tz),
    String(c.from_user_id),
    String(c.to_user_id),
    c.type === 'A' ? 'audio' : 'video',
    formatDuration(Number(c.duration)),
    String(c.status.outcome),
    String(c.status.reason),
  ]);
  return alignedTable(HEADINGS, rows);
}

/** Rows under headings, each column as wide as its widest cell (at most 40 characters; longer ones end in …). */
export function alignedTable(headings: readonly string[], rows: readonly string[][]): string {
  const widths = headings.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const line = (cells: readonly string[]) => cells.map((cell, i) => clip(cell, widths[i] ?? 0).padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return `${[line(headings), ...rows.map(line)].join('\n')}\n`;
}

/** `2026-01-01 09:00:00 +09:00` in the given IANA zone. */
export function formatTime(unixSeconds: number, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    hourCycle: 'h23', timeZoneName: 'longOffset',
  }).formatToParts(new Date(unixSeconds * 1000));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const offset = get('timeZoneName').replace('GMT', '') || '+00:00';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')} ${offset}`;
}

/** `0:45`, `12:03`, `1:02:03`. */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** `--tz`, checked, else this machine's time zone. */
export function timeZoneOf(tz: string | undefined): string {
  const zone = tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  assertTimeZone(zone);
  return zone;
}

/** `--limit` of a listing command: a whole number from 1 to 1000. */
export function pageLimitOf(text: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new Error(`--limit must be a whole number from 1 to 1000 (got "${text}")`);
  return limit;
}

/** Throws a readable error for a time zone Intl does not know. */
export function assertTimeZone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new Error(`--tz must be an IANA time zone like Asia/Tokyo or UTC (got "${tz}")`);
  }
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
