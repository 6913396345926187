import { DEFAULT_CALL_EVENT_DEADLINE_MS, parseDurationMs } from '../config/load-config.js';
import { callLifeToJson } from '../domain/lifecycle/call-life-json.js';
import type { Answer } from '../http/openapi/generated/api.js';
import { openStore } from '../storage/open-store.js';
import type { LifecycleException } from '../storage/port.js';
import { requestApi, type SourceOptions } from './api-client.js';
import { resolveReadTarget } from './server-target.js';

/** One sid's life, as `GET /api/calls/:sid/lifecycle` answers it (generated from the API document). */
export type CallLifeJson = Answer<'getCallLifecycle'>;
/** A lifecycle list, as `GET /api/lifecycle` answers it. */
export type LifecycleListJson = Answer<'listLifecycle'>;

/** The end deadline a database read uses: CALL_EVENT_DEADLINE, as the server reads it. */
function deadlineMsOf(env: NodeJS.ProcessEnv): number {
  const raw = env.CALL_EVENT_DEADLINE;
  return raw === undefined || raw === '' ? DEFAULT_CALL_EVENT_DEADLINE_MS : (parseDurationMs(raw) ?? DEFAULT_CALL_EVENT_DEADLINE_MS);
}

/** A sid's life from the source the flags name (a server's API or the database); null when no callback carried it. */
export async function readCallLife(sid: string, options: SourceOptions, env: NodeJS.ProcessEnv = process.env): Promise<CallLifeJson | null> {
  const target = resolveReadTarget(options, env);
  if (target.kind === 'server') {
    const response = await requestApi(target.server, `/api/calls/${encodeURIComponent(sid)}/lifecycle`);
    return response.status === 404 ? null : ((await response.json()) as CallLifeJson);
  }
  const store = await openStore(target.databaseUrl);
  try {
    const life = await store.getCallLife(sid);
    // The same JSON the API answers (dates as ISO text), through a JSON round trip.
    return life === null ? null : (JSON.parse(JSON.stringify(callLifeToJson(life, { now: Date.now(), deadlineMs: deadlineMsOf(env) }))) as CallLifeJson);
  } finally {
    await store.close();
  }
}

/** The calls in one lifecycle exception, from the source the flags name. */
export async function readLifecycleList(
  state: LifecycleException,
  limit: number,
  options: SourceOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LifecycleListJson> {
  const target = resolveReadTarget(options, env);
  if (target.kind === 'server') {
    return (await (await requestApi(target.server, '/api/lifecycle', { state, limit: String(limit) })).json()) as LifecycleListJson;
  }
  const store = await openStore(target.databaseUrl);
  try {
    const entries = await store.listLifecycle({ lifecycle: state, limit, now: Date.now(), deadlineMs: deadlineMsOf(env) });
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return { state, items: entries.map((e) => ({ ...e, notified_at: iso(e.notified_at), ended_at: iso(e.ended_at) })) };
  } finally {
    await store.close();
  }
}

/** The human form of a sid's life: where the call is, its Notify and relays, the diagnosis, the timeline. */
export function formatCallLife(life: CallLifeJson, time: (iso: string) => string): string {
  const l = life.lifecycle;
  const lines = ['', `lifecycle    ${l.state}`];
  if (l.notified_at !== null) lines.push(`  notified   ${time(l.notified_at)}${l.setup_to_notify_sec === null ? '' : `  (${l.setup_to_notify_sec} s after setup)`}`);
  if (l.ended_at !== null) lines.push(`  ended      ${time(l.ended_at)}`);
  else if (l.end_due_at !== null) lines.push(`  end due    ${time(l.end_due_at)}`);
  if (life.notify !== null) lines.push(`  notify     ${life.notify.from_user_id} → ${life.notify.to_user_id}, param ${life.notify.param.length} characters`);
  if (life.agent_call_status !== null) {
    const s = life.agent_call_status;
    lines.push(`  agent      ${s.agent_type} ${s.media_source_type}: ${s.result}${s.fail_reason === null ? '' : ` (${s.fail_reason})`}`);
  }
  if (life.push_diagnosis !== null) lines.push('', `push error   ${life.push_diagnosis.verdict}`, `  ${life.push_diagnosis.explanation}`);
  lines.push('', `timeline (${life.timeline.length})`, ...life.timeline.map((e) => `    ${time(e.at)}  ${e.summary}`));
  return `${lines.join('\n')}\n`;
}

/** The lifecycle list as a table. */
export function formatLifecycleList(list: LifecycleListJson, time: (iso: string) => string): string {
  if (list.items.length === 0) return `no calls are ${list.state}\n`;
  return `${list.items.map((i) => {
    const when = list.state === 'end_missing' ? `notified ${i.notified_at === null ? '-' : time(i.notified_at)}` : `ended ${i.ended_at === null ? '-' : time(i.ended_at)}`;
    return `${i.sid}  ${when}  ${i.from_user_id} → ${i.to_user_id}  ${i.type === 'A' ? 'audio' : 'video'}`;
  }).join('\n')}\n`;
}
