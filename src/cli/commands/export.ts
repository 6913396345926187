import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { EXPORT_FORMATS, type ExportFormat } from '../../domain/call-log/export-lines.js';
import { plural } from '../../domain/plural.js';
import { openCallSource, type SourceOptions } from '../api-client.js';
import { addCallFilterOptions, filterQueryOf, RAW_HELP, RAW_NOTE } from './calls.js';

/** How often the progress line is redrawn, in milliseconds. */
export const PROGRESS_INTERVAL_MS = 500;

export interface ExportOptions extends SourceOptions {
  /** The filter flags (camelCase, as commander names them). */
  [flag: string]: unknown;
  format: string;
  out?: string;
  progress?: boolean;
  raw?: boolean;
}

/** `callevt export`: every matching call as CSV or NDJSON, to a file or stdout. */
export function registerExport(program: Command): void {
  const command = program
    .command('export')
    .description('write every matching 1-to-1 call as CSV or NDJSON (streamed; any size), with progress on stderr (group calls: callevt group-calls --export)')
    .option('--format <format>', 'csv or ndjson', 'csv')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--raw', `csv: ${RAW_HELP}`)
    .option('--no-progress', 'do not report progress on stderr');
  addCallFilterOptions(command).action(async (options: ExportOptions) => {
    if (options.raw === true && options.format === 'csv') process.stderr.write(RAW_NOTE);
    const out = options.out === undefined ? process.stdout : createWriteStream(options.out);
    const summary = await runExport(options, out, options.progress === false ? null : process.stderr);
    process.stderr.write(`${summary}\n`);
  });
}

/**
 * Streams the export into `out`, redrawing a progress line on `progress` (a TTY gets
 * one updating line; a pipe or file gets a line every few seconds). Returns the summary.
 */
export async function runExport(options: ExportOptions, out: Writable, progress: NodeJS.WritableStream | null): Promise<string> {
  if (!EXPORT_FORMATS.includes(options.format as ExportFormat)) throw new Error(`--format must be one of ${EXPORT_FORMATS.join(', ')} (got "${options.format}")`);
  const format = options.format as ExportFormat;
  const source = await openCallSource(options);
  try {
    const written = await writeExport((onCount) => source.exportCalls(filterQueryOf(options), format, onCount, { raw: options.raw === true }), out, progress, 'call');
    return exportSummary(written, format, options.out);
  } finally {
    await source.close();
  }
}

/** What an export wrote: lines where the source counts them (0 otherwise), bytes and seconds. */
export interface ExportWritten {
  count: number;
  bytes: number;
  seconds: number;
  unit: string;
}

/**
 * Pipes export chunks into `out`, redrawing a progress line on `progress` (a TTY gets one
 * updating line; a pipe or file gets a line every few seconds), counted in `unit`s.
 */
export async function writeExport(
  chunksOf: (onCount: (count: number) => void) => AsyncIterable<string>,
  out: Writable,
  progress: NodeJS.WritableStream | null,
  unit: string,
): Promise<ExportWritten> {
  const started = Date.now();
  let count = 0;
  let bytes = 0;
  let last = 0;
  const isTty = (progress as { isTTY?: boolean } | null)?.isTTY === true;
  const report = () => {
    const now = Date.now();
    if (progress === null || now - last < (isTty ? PROGRESS_INTERVAL_MS : 10 * PROGRESS_INTERVAL_MS)) return;
    last = now;
    const counted = count > 0 ? `${plural(count, unit)}, ` : '';
    progress.write(`${isTty ? '\r' : ''}exporting: ${counted}${(bytes / 1_048_576).toFixed(1)} MiB, ${((now - started) / 1000).toFixed(0)} s${isTty ? '' : '\n'}`);
  };
  const counted = async function* (chunks: AsyncIterable<string>) {
    for await (const chunk of chunks) {
      bytes += Buffer.byteLength(chunk);
      report();
      yield chunk;
    }
  };
  const chunks = chunksOf((n) => {
    count = n;
  });
  await pipeline(Readable.from(counted(chunks), { objectMode: false }), out);
  if (isTty && progress !== null) progress.write('\r\x1b[K');
  return { count, bytes, seconds: (Date.now() - started) / 1000, unit };
}

/** The line an export ends with on stderr: what, as which format, where, how long. */
export function exportSummary(written: ExportWritten, format: ExportFormat, file: string | undefined): string {
  const what = written.count > 0 ? plural(written.count, written.unit) : plural(written.bytes, 'byte');
  return `exported ${what} as ${format}${file === undefined ? '' : ` to ${file}`} in ${written.seconds.toFixed(1)} s`;
}
