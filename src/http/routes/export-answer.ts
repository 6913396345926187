import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { EXPORT_FORMATS, EXPORT_MEDIA_TYPES, type ExportFormat } from '../../domain/call-log/export-lines.js';
import { AppError } from '../../errors/app-error.js';

/**
 * The export's answer header saying how CSV cells that start like a spreadsheet formula
 * were written: `neutralised` (prefixed with `'`, the default) or `raw` (as stored).
 */
export const CSV_FORMULAS_HEADER = 'x-csv-formulas';

type QueryValue = string | readonly string[] | undefined;

/** `format` of an export: csv (the default) or ndjson. */
export function exportFormatOf(value: QueryValue): ExportFormat {
  const format = single(value, 'format') ?? 'csv';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw invalid('format', `must be one of ${EXPORT_FORMATS.join(', ')}`);
  return format as ExportFormat;
}

/** `raw=true` writes CSV cells that start like a formula as they are; only true or false. */
export function rawOf(value: QueryValue): boolean {
  const text = single(value, 'raw');
  if (text === undefined || text === 'false') return false;
  if (text === 'true') return true;
  throw invalid('raw', 'must be true or false');
}

/**
 * Answers with export text chunks as a download (`<name>.<format>`), streamed: never
 * cached, and a CSV says how its formula-like cells were written.
 */
export function sendExport(reply: FastifyReply, chunks: AsyncIterable<string>, options: { format: ExportFormat; raw: boolean; name: string }): FastifyReply {
  const { format, raw, name } = options;
  if (format === 'csv') reply.header(CSV_FORMULAS_HEADER, raw ? 'raw' : 'neutralised');
  return reply
    .type(EXPORT_MEDIA_TYPES[format])
    .header('content-disposition', `attachment; filename="${name}.${format}"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(chunks, { objectMode: false }));
}

/** A query parameter given once (or repeated with one value); empty is absent. */
export function single(raw: QueryValue, field: string): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw === 'string') return raw;
  if (new Set(raw).size > 1) throw invalid(field, 'must be given at most once');
  return raw[0] === '' ? undefined : raw[0];
}

/** The 400 naming one query parameter and its problem. */
export function invalid(field: string, problem: string): AppError {
  return new AppError('invalid_parameter', `Invalid query parameter: ${field} ${problem}`, [{ field, problem }]);
}
