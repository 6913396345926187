import { type ConflictJson, conflictToJson, type DeliveryJson, deliveryToJson } from '../domain/deliveries/deliveries-json.js';
import { DEFAULT_DATABASE_URL, openStore } from '../storage/open-store.js';
import type { SourceOptions } from './api-client.js';

/** What arrived for one sid: every delivery and every conflicting version, oldest first. */
export interface CallHistory {
  deliveries: DeliveryJson[];
  conflicts: ConflictJson[];
}

/**
 * Reads a call's deliveries and conflicting versions from the source the flags name
 * (`--url`/`--token` or `--db`, as openCallSource does), as the API's JSON either way.
 */
export async function readCallHistory(sid: string, options: SourceOptions, env: NodeJS.ProcessEnv = process.env): Promise<CallHistory> {
  const url = options.url ?? env.CALLEVT_URL;
  if (url !== undefined && url !== '') return readHistoryFromApi(url, options.token ?? env.CALLEVT_TOKEN, sid);
  const store = await openStore(options.db ?? env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
  try {
    const [deliveries, conflicts] = [await store.listDeliveries(sid), await store.listConflicts(sid)];
    return {
      deliveries: deliveries.map(deliveryToJson),
      conflicts: conflicts.map(conflictToJson),
    };
  } finally {
    await store.close();
  }
}

async function readHistoryFromApi(baseUrl: string, token: string | undefined, sid: string): Promise<CallHistory> {
  const base = `${baseUrl.replace(/\/+$/, '')}/api/calls/${encodeURIComponent(sid)}`;
  const headers: Record<string, string> = token === undefined || token === '' ? {} : { authorization: `Bearer ${token}` };
  const items = async <T>(part: string): Promise<T[]> => {
    const response = await fetch(`${base}/${part}`, { headers });
    if (response.status === 404) return []; // no such call (or a server from before these endpoints)
    if (!response.ok) throw new Error(`the server answered ${response.status} to GET /api/calls/${sid}/${part}`);
    return ((await response.json()) as { items: T[] }).items;
  };
  return { deliveries: await items<DeliveryJson>('deliveries'), conflicts: await items<ConflictJson>('conflicts') };
}
