import { conflictToJson, deliveryToJson } from '../domain/deliveries/deliveries-json.js';
import type { Schema } from '../http/openapi/generated/api.js';
import { openStore } from '../storage/open-store.js';
import { requestApi, type SourceOptions } from './api-client.js';
import { resolveReadTarget, type ServerTarget } from './server-target.js';

/** One delivery, as `GET /api/calls/:sid/deliveries` lists it (generated from the API document). */
export type DeliveryJson = Schema<'Delivery'>;
/** One conflicting version, as `GET /api/calls/:sid/conflicts` lists it (generated from the API document). */
export type ConflictJson = Schema<'ConflictingVersion'>;

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
  const target = resolveReadTarget(options, env);
  if (target.kind === 'server') return readHistoryFromApi(target.server, sid);
  const store = await openStore(target.databaseUrl);
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

async function readHistoryFromApi(server: ServerTarget, sid: string): Promise<CallHistory> {
  const items = async <T>(part: string): Promise<T[]> => {
    const response = await requestApi(server, `/api/calls/${encodeURIComponent(sid)}/${part}`);
    if (response.status === 404) return []; // no such call (or a server from before these endpoints)
    return ((await response.json()) as { items: T[] }).items;
  };
  return { deliveries: await items<DeliveryJson>('deliveries'), conflicts: await items<ConflictJson>('conflicts') };
}
