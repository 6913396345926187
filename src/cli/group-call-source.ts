import { DEFAULT_GROUP_END_DEADLINE_MS, parseDurationMs } from '../config/load-config.js';
import type { CsvOptions } from '../domain/call-log/call-csv.js';
import type { ExportFormat } from '../domain/call-log/export-lines.js';
import { decodeGroupCursor, encodeGroupCursor } from '../domain/group/group-call-cursor.js';
import { type GroupExportRows, groupExportChunks } from '../domain/group/group-export-lines.js';
import { type GroupCallFilter, parseGroupCallFilter } from '../domain/group/parse-group-call-filter.js';
import type { Answer, Schema } from '../http/openapi/generated/api.js';
import { openStore } from '../storage/open-store.js';
import type { CallStore, GroupCallListQuery, GroupStateClock } from '../storage/port.js';
import { streamGroupLines } from '../domain/group/stream-group-lines.js';
import { requestApi, type SourceOptions, textOf } from './api-client.js';
import { resolveReadTarget, type ServerTarget } from './server-target.js';

/** A group call with its stays, as `GET /api/group-calls/:sid` answers it (generated from the API document). */
export type GroupCallJson = Schema<'GroupCall'>;
/** One page of group calls, as `GET /api/group-calls` answers it. */
export type GroupCallJsonPage = Answer<'listGroupCalls'>;
/** The group list's and export's filter parameters, by their API names. */
export type GroupFilterParams = Record<string, string>;

/**
 * Where the CLI reads group calls: the database directly, or a running server's API,
 * with the same JSON either way (like {@link CallSource} for 1-to-1 calls).
 */
export interface GroupCallSource {
  listGroupCalls(query: GroupFilterParams, limit: number, cursor?: string): Promise<GroupCallJsonPage>;
  getGroupCall(sid: string): Promise<GroupCallJson | null>;
  /** Export text chunks; `onLine` counts lines where the source can (the database). */
  exportGroupCalls(query: GroupFilterParams, format: ExportFormat, rows: GroupExportRows, onLine?: (count: number) => void, csv?: CsvOptions): AsyncIterable<string>;
  close(): Promise<void>;
}

/** GROUP_END_DEADLINE as the server reads it: a database read decides end_missing with it. */
export function groupDeadlineMsOf(env: NodeJS.ProcessEnv): number {
  const raw = env.GROUP_END_DEADLINE;
  return raw === undefined || raw === '' ? DEFAULT_GROUP_END_DEADLINE_MS : (parseDurationMs(raw) ?? DEFAULT_GROUP_END_DEADLINE_MS);
}

/** Opens the source the flags name (resolveReadTarget): a server's API, or a database. */
export async function openGroupCallSource(options: SourceOptions, env: NodeJS.ProcessEnv = process.env): Promise<GroupCallSource> {
  const target = resolveReadTarget(options, env);
  if (target.kind === 'server') return createGroupApiSource(target.server);
  const deadlineMs = groupDeadlineMsOf(env);
  return createGroupStoreSource(await openStore(target.databaseUrl), () => ({ now: Date.now(), deadlineMs }));
}

/** Reads group calls straight from a store, with the API's parsing and JSON. */
export function createGroupStoreSource(store: CallStore, clock: () => GroupStateClock): GroupCallSource {
  const filterOf = (query: GroupFilterParams): GroupCallFilter => {
    const parsed = parseGroupCallFilter(query);
    if (!parsed.ok) throw new Error(parsed.problems.map((p) => `--${p.field.replaceAll('_', '-')} ${p.problem}`).join('; '));
    return parsed.filter;
  };
  // Through JSON, as the API answers: the same values and key order either way.
  const asJson = <T>(value: unknown): T => JSON.parse(JSON.stringify(value)) as T;
  return {
    async listGroupCalls(query, limit, cursor) {
      const request: GroupCallListQuery = { filter: filterOf(query), clock: clock(), limit };
      if (cursor !== undefined) {
        const position = decodeGroupCursor(cursor);
        if (typeof position === 'string') throw new Error(`--cursor ${position}`);
        request.after = position;
      }
      const page = await store.listGroupCalls(request);
      return asJson({ items: page.calls, next_cursor: page.next === null ? null : encodeGroupCursor(page.next) });
    },
    async getGroupCall(sid) {
      const call = await store.getGroupCall(sid, clock());
      return call === null ? null : asJson(call);
    },
    exportGroupCalls: (query, format, rows, onLine, csv) => groupExportChunks(streamGroupLines(store, filterOf(query), clock(), rows), format, rows, onLine, csv),
    close: () => store.close(),
  };
}

/** Reads group calls from a running callevt server over HTTP. */
export function createGroupApiSource(server: ServerTarget): GroupCallSource {
  return {
    async listGroupCalls(query, limit, cursor) {
      const response = await requestApi(server, '/api/group-calls', { ...query, limit: String(limit), ...(cursor === undefined ? {} : { cursor }) });
      return (await response.json()) as GroupCallJsonPage;
    },
    async getGroupCall(sid) {
      const response = await requestApi(server, `/api/group-calls/${encodeURIComponent(sid)}`);
      return response.status === 404 ? null : ((await response.json()) as GroupCallJson);
    },
    async *exportGroupCalls(query, format, rows, _onLine, csv = {}) {
      yield* textOf(await requestApi(server, '/api/group-calls/export', { ...query, format, rows, ...(csv.raw === true ? { raw: 'true' } : {}) }));
    },
    async close() {},
  };
}
