import type { CsvOptions } from '../domain/call-log/call-csv.js';
import { callToJson } from '../domain/call-log/call-to-json.js';
import { decodeCursor, encodeCursor } from '../domain/call-log/call-cursor.js';
import { type ExportFormat, exportChunks } from '../domain/call-log/export-lines.js';
import { type FilterQuery, parseCallFilter } from '../domain/parse-call-filter.js';
import { reclassifyOutdatedCalls } from '../domain/classify/reclassify-outdated.js';
import { openStore } from '../storage/open-store.js';
import type { Answer, Schema } from '../http/openapi/generated/api.js';
import type { CallListQuery, CallStore } from '../storage/port.js';
import { resolveReadTarget, type ServerTarget, type TargetOptions, unreachable } from './server-target.js';

/** A call as JSON, exactly as `GET /api/calls/:sid` answers it (generated from the API document). */
export type CallJson = Schema<'Call'>;

/** One page of the call log, as `GET /api/calls` answers it (generated from the API document). */
export type CallJsonPage = Answer<'listCalls'>;

/** An error answer of the API (generated from the API document). */
export type ErrorJson = Schema<'Error'>;

/**
 * Where the CLI reads calls: the database directly, or a running server's API. Both
 * give the same JSON, so every command prints the same thing either way.
 */
export interface CallSource {
  listCalls(query: FilterQuery, limit: number, cursor?: string): Promise<CallJsonPage>;
  getCall(sid: string): Promise<CallJson | null>;
  /** Export text chunks; `onCall` counts calls where the source can (the database). */
  exportCalls(query: FilterQuery, format: ExportFormat, onCall?: (count: number) => void, csv?: CsvOptions): AsyncIterable<string>;
  close(): Promise<void>;
}

/** The connection flags shared by the call log commands. */
export type SourceOptions = TargetOptions;

/** Opens the source the flags name (see {@link resolveReadTarget}): a server's API, or a database. */
export async function openCallSource(options: SourceOptions, env: NodeJS.ProcessEnv = process.env): Promise<CallSource> {
  const target = resolveReadTarget(options, env);
  if (target.kind === 'server') return createApiSource(target.server);
  return createStoreSource(await openStore(target.databaseUrl));
}

/** Reads calls straight from a store, applying the same parsing and JSON as the API. */
export function createStoreSource(store: CallStore, now: () => number = Date.now): CallSource {
  const filterOf = (query: FilterQuery) => {
    const parsed = parseCallFilter(query, now());
    if (!parsed.ok) throw new Error(parsed.problems.map((p) => `--${p.field.replaceAll('_', '-')} ${p.problem}`).join('; '));
    return parsed.filter;
  };
  return {
    async listCalls(query, limit, cursor) {
      const filter = filterOf(query);
      const request: CallListQuery = { filter, limit };
      if (cursor !== undefined) {
        const position = decodeCursor(cursor, filter.time_field);
        if (typeof position === 'string') throw new Error(`--cursor ${position}`);
        request.after = position;
      }
      const page = await store.listCalls(request);
      return {
        items: page.calls.map((c) => callToJson(c) as CallJson),
        next_cursor: page.next === null ? null : encodeCursor(filter.time_field, page.next),
      };
    },
    async getCall(sid) {
      const call = await store.getCall(sid);
      return call === null ? null : (callToJson(call) as CallJson);
    },
    exportCalls: (query, format, onCall, csv) => exportChunks(store.streamCalls(filterOf(query)), format, onCall, csv),
    close: () => store.close(),
  };
}

/** Reads calls from a running callevt server over HTTP. */
export function createApiSource(server: ServerTarget): CallSource {
  return {
    async listCalls(query, limit, cursor) {
      const response = await requestApi(server, '/api/calls', { ...query, limit: String(limit), ...(cursor === undefined ? {} : { cursor }) });
      if (!response.ok) throw new Error(await apiErrorMessage(response));
      return (await response.json()) as CallJsonPage;
    },
    async getCall(sid) {
      const response = await requestApi(server, `/api/calls/${encodeURIComponent(sid)}`);
      return response.status === 404 ? null : ((await response.json()) as CallJson);
    },
    async *exportCalls(query, format, _onCall, csv = {}) {
      yield* textOf(await requestApi(server, '/api/calls/export', { ...query, format, ...(csv.raw === true ? { raw: 'true' } : {}) }));
    },
    async close() {},
  };
}

/** An answer's body as text chunks, as they arrive (an export streamed from the server). */
export async function* textOf(response: Response): AsyncGenerator<string> {
  if (response.body === null) return;
  const decoder = new TextDecoder();
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) yield decoder.decode(bytes, { stream: true });
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

/** Media types callevt answers the read API with: anything else is not callevt (a proxy's page, another server). */
const CALLEVT_MEDIA = /^(application\/json|text\/csv|application\/x-ndjson)\b/;

/**
 * GET on callevt's read API with the server's token (or a POST of `jsonBody`). An
 * unreachable server, an error answer (other than callevt's own 404) or an answer that
 * is not callevt's throws a sentence naming the URL and what happened.
 */
export async function requestApi(server: ServerTarget, path: string, query: FilterQuery = {}, jsonBody?: unknown): Promise<Response> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const v of typeof value === 'string' ? [value] : value) params.append(key, v);
  }
  const qs = params.toString();
  const url = `${server.url}${path}${qs === '' ? '' : `?${qs}`}`;
  const headers: Record<string, string> = server.token === undefined ? {} : { authorization: `Bearer ${server.token}` };
  if (jsonBody !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, jsonBody === undefined ? { headers } : { headers, method: 'POST', body: JSON.stringify(jsonBody) });
  } catch (error) {
    throw unreachable(server.url, error);
  }
  if (!CALLEVT_MEDIA.test(response.headers.get('content-type') ?? '')) {
    await response.body?.cancel();
    throw new Error(
      `${server.url}${path} answered ${response.status} ${response.headers.get('content-type') ?? 'without a content type'}, not callevt's API: is --url (or CALLEVT_URL) the base URL of a callevt server?`,
    );
  }
  if (!response.ok && response.status !== 404) throw new Error(await apiErrorMessage(response));
  return response;
}

/** Brings stored calls to the current classifier (the `callevt reclassify` work). */
export function reclassifyStore(store: CallStore, onProgress?: (done: number) => void) {
  return reclassifyOutdatedCalls(store, onProgress === undefined ? {} : { onProgress });
}

/** An error answer as one sentence: status, code, message and each detail. */
export async function apiErrorMessage(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Partial<ErrorJson>;
    const details = (body.error?.details ?? []).map((d) => `${d.field} ${d.problem}`).join('; ');
    return `the server answered ${response.status} ${body.error?.code ?? ''}: ${body.error?.message ?? ''}${details === '' ? '' : ` (${details})`}`;
  } catch {
    return `the server answered ${response.status}: ${text.slice(0, 200)}`;
  }
}
