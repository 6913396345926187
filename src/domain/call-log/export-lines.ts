import { type CsvOptions, callToCsvLine, csvHeader } from './call-csv.js';
import { callToJson, type LoggedCall } from './call-to-json.js';

export type ExportFormat = 'csv' | 'ndjson';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'ndjson'];

/** Bytes of text gathered before a chunk is handed on: few writes, little memory. */
export const EXPORT_CHUNK_CHARS = 64 * 1024;

/** The media type of each export format. */
export const EXPORT_MEDIA_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/**
 * Turns a stream of calls into export text chunks (CSV with a header row, or one JSON
 * object per line), about {@link EXPORT_CHUNK_CHARS} each. Memory stays flat: one chunk
 * at a time. `onCall` sees the running count (for progress). CSV cells that start like
 * a formula are neutralised unless `csv.raw`; NDJSON is always exact.
 */
export async function* exportChunks(
  calls: AsyncIterable<LoggedCall>,
  format: ExportFormat,
  onCall?: (count: number) => void,
  csv: CsvOptions = {},
): AsyncGenerator<string> {
  let chunk = format === 'csv' ? csvHeader() : '';
  let count = 0;
  for await (const call of calls) {
    chunk += format === 'csv' ? callToCsvLine(call, csv) : `${JSON.stringify(callToJson(call))}\n`;
    onCall?.(++count);
    if (chunk.length >= EXPORT_CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
