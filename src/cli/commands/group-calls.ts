import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { EXPORT_FORMATS, type ExportFormat } from '../../domain/call-log/export-lines.js';
import { GROUP_EXPORT_ROWS, GROUP_SESSION_CSV_COLUMNS, type GroupExportRows, groupCsvLine } from '../../domain/group/group-export-lines.js';
import { STAY_STATUSES } from '../../domain/group/stay-status.js';
import { SESSION_STATES } from '../../domain/group/parse-group-call-filter.js';
import { type GroupFilterParams, openGroupCallSource } from '../group-call-source.js';
import { addSourceOptions, type CallsOptions, pageLimitOf, queryOfFlags, RAW_HELP, RAW_NOTE, timeZoneOf } from './calls.js';
import { exportSummary, writeExport } from './export.js';
import { formatGroupCallTable } from './group-call-format.js';

/** The group filter flags, named like the API's parameters with dashes (`--host-id`). */
const GROUP_FILTER_FLAGS: Array<[flag: string, param: string, help: string]> = [
  ['--svc-id <id>', 'svc_id', "the room's service id"],
  ['--id <id>', 'id', "the room's id"],
  ['--host-svc-id <id>', 'host_svc_id', "the host's service id"],
  ['--host-id <id>', 'host_id', "the host's user id"],
  ['--user-svc-id <id>', 'user_svc_id', 'sessions with a stay of a participant of this service'],
  ['--user-id <id>', 'user_id', 'sessions with a stay of this participant'],
  ['--from <time>', 'from', 'sessions started at or after: ISO-8601 with a zone (2026-01-31T09:00:00Z) or Unix milliseconds'],
  ['--to <time>', 'to', 'sessions started before'],
  ['--state <state>', 'state', `the session's state: ${SESSION_STATES.join(', ')}`],
  ['--stay-status <status>', 'stay_status', `sessions with a stay in this status: ${STAY_STATUSES.join(', ')}`],
];

/** The API query the group filter flags stand for. */
export function groupFilterQueryOf(options: Record<string, unknown>): GroupFilterParams {
  return queryOfFlags(GROUP_FILTER_FLAGS, options);
}

/** `callevt calls`' options, and those of the group export. */
export interface GroupCallsOptions extends CallsOptions {
  export?: string;
  rows?: string;
  out?: string;
  progress?: boolean;
}

/** The flags of one page that an export (every page) does not take. */
const PAGE_ONLY = [['json', '--json'], ['csv', '--csv'], ['cursor', '--cursor'], ['limit', '--limit'], ['tz', '--tz']] as const;
const EXPORT_ONLY = [['rows', '--rows'], ['out', '--out']] as const;

/** `callevt group-calls`: one page of group calls as a table, JSON or CSV; or, with --export, every matching one. */
export function registerGroupCalls(program: Command): void {
  const command = program
    .command('group-calls')
    .description('list group calls (room sessions), newest start first, with their room, host, state and participants; --export writes every matching session or stay as CSV or NDJSON (from the database or a running server)')
    .option('--json', 'print the page as JSON, like GET /api/group-calls')
    .option('--csv', 'print the page as CSV, like the export of sessions')
    .option('--raw', `with --csv or --export csv: ${RAW_HELP}`)
    .option('--tz <zone>', 'time zone for the table, e.g. Asia/Tokyo (default: this machine\'s)')
    .option('--limit <n>', 'sessions to show, 1..1000', '50')
    .option('--cursor <cursor>', 'continue after a previous page (printed at its end)')
    .option('--export <format>', `instead of one page, write every matching one (streamed; any size): ${EXPORT_FORMATS.join(' or ')}, like GET /api/group-calls/export`)
    .option('--rows <rows>', `with --export: ${GROUP_EXPORT_ROWS.join(' (one line per session, the default) or ')} (one line per participant stay)`)
    .option('--out <file>', 'with --export: write to this file instead of stdout')
    .option('--no-progress', 'with --export: do not report progress on stderr');
  for (const [flag, , help] of GROUP_FILTER_FLAGS) command.option(flag, help);
  addSourceOptions(command).action(async (options: GroupCallsOptions, cmd: Command) => {
    const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
    if (options.export === undefined) {
      const named = EXPORT_ONLY.filter(([key]) => given(key)).map(([, flag]) => flag);
      if (named.length > 0) throw new Error(`${named.join(', ')} ${named.length === 1 ? 'needs' : 'need'} --export`);
      if (options.csv === true && options.raw === true) process.stderr.write(RAW_NOTE);
      process.stdout.write(await runGroupCalls(options));
      return;
    }
    const pageOnly = PAGE_ONLY.filter(([key]) => given(key)).map(([, flag]) => flag);
    if (pageOnly.length > 0) throw new Error(`${pageOnly.join(', ')} ${pageOnly.length === 1 ? 'shows' : 'show'} one page: not with --export`);
    if (options.raw === true && options.export === 'csv') process.stderr.write(RAW_NOTE);
    const out = options.out === undefined ? process.stdout : createWriteStream(options.out);
    process.stderr.write(`${await runGroupExport(options, out, options.progress === false ? null : process.stderr)}\n`);
  });
}

/** The text `callevt group-calls` prints for one page, for the given flags. */
export async function runGroupCalls(options: GroupCallsOptions): Promise<string> {
  const tz = timeZoneOf(options.tz);
  const limit = pageLimitOf(options.limit);
  const source = await openGroupCallSource(options);
  try {
    const page = await source.listGroupCalls(groupFilterQueryOf(options), limit, options.cursor);
    if (options.json === true) return `${JSON.stringify(page, null, 2)}\n`;
    if (options.csv === true) {
      const lines = page.items.map((call) => groupCsvLine('sessions', call, { raw: options.raw === true }));
      return `${GROUP_SESSION_CSV_COLUMNS.join(',')}\r\n${lines.join('')}`;
    }
    return formatGroupCallTable(page.items, tz) + (page.next_cursor === null ? '' : `\nmore: --cursor ${page.next_cursor}\n`);
  } finally {
    await source.close();
  }
}

/** `callevt group-calls --export <format>`: streams every matching session or stay into `out`; returns the summary. */
export async function runGroupExport(options: GroupCallsOptions, out: Writable, progress: NodeJS.WritableStream | null): Promise<string> {
  const format = options.export ?? 'csv';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new Error(`--export must be one of ${EXPORT_FORMATS.join(', ')} (got "${format}")`);
  const rows = options.rows ?? 'sessions';
  if (!(GROUP_EXPORT_ROWS as readonly string[]).includes(rows)) throw new Error(`--rows must be one of ${GROUP_EXPORT_ROWS.join(', ')} (got "${rows}")`);
  const source = await openGroupCallSource(options);
  try {
    const chunksOf = (onCount: (count: number) => void) =>
      source.exportGroupCalls(groupFilterQueryOf(options), format as ExportFormat, rows as GroupExportRows, onCount, { raw: options.raw === true });
    const written = await writeExport(chunksOf, out, progress, rows === 'stays' ? 'stay' : 'session');
    return exportSummary(written, format as ExportFormat, options.out);
  } finally {
    await source.close();
  }
}
