/**
 * The per-callback parsing work on the ingest hot path (decode the query, parse and bound
 * every field), measured against the previous implementation of its two helpers in the
 * same run: decodeComponent copied every value through a regex replace and
 * decodeURIComponent, and byteLength encoded every bounded value with TextEncoder.
 * CPU only, single thread, no I/O.
 * Run (one benchmark at a time, under the shared bench lock): npx tsx bench/ingest/parse-hot-path.ts
 */
import { decodeQueryString } from '../../src/domain/parse-query-string.js';
import { utf8ByteLength } from '../../src/domain/utf8-byte-length.js';
import { validCallbackQuery } from '../../test/fixtures/callback-fixture.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200_000);
const ROUNDS = 5;
const utf8 = new TextEncoder();

/** The previous helpers, as baseline. */
function previousDecodeComponent(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

function previousDecode(raw: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const part of raw.split('&')) {
    const eq = part.indexOf('=');
    const key = previousDecodeComponent(part.slice(0, eq));
    const value = previousDecodeComponent(part.slice(eq + 1));
    if (key !== null && value !== null) values.set(key, value);
  }
  return values;
}

const queries = Array.from({ length: 1_000 }, () => validCallbackQuery({ app_svr_data: 'ctx-42', rel_code_str: 'NORMAL' }));
const decoded = new Map(queries.map((q) => [q, [...decodeQueryString(q).values.values()]]));
let sink = 0;

function time(name: string, work: (query: string) => void): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i += 1) work(queries[i % queries.length] ?? '');
  const ns = Number(process.hrtime.bigint() - started) / ITERATIONS;
  process.stdout.write(`  ${name}: ${(ns / 1000).toFixed(2)} µs per callback\n`);
  return ns;
}

const results = { decodePrevious: [] as number[], decodeNow: [] as number[], bytesPrevious: [] as number[], bytesNow: [] as number[] };
for (let round = 1; round <= ROUNDS; round += 1) {
  results.decodePrevious.push(time('decode, previous', (q) => { sink += previousDecode(q).size; }));
  results.decodeNow.push(time('decode, now', (q) => { sink += decodeQueryString(q).values.size; }));
  results.bytesPrevious.push(time('byte length of every value, TextEncoder', (q) => {
    for (const value of decoded.get(q) ?? []) sink += utf8.encode(value).length;
  }));
  results.bytesNow.push(time('byte length of every value, utf8ByteLength', (q) => {
    for (const value of decoded.get(q) ?? []) sink += utf8ByteLength(value);
  }));
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;
process.stdout.write(`\nmedians over ${ROUNDS} rounds of ${ITERATIONS} callbacks (sink ${sink % 7}):\n` +
  `  decodeQueryString: ${(median(results.decodePrevious) / 1000).toFixed(2)} → ${(median(results.decodeNow) / 1000).toFixed(2)} µs\n` +
  `  byte lengths of one callback's values: ${(median(results.bytesPrevious) / 1000).toFixed(2)} → ${(median(results.bytesNow) / 1000).toFixed(2)} µs\n`);
