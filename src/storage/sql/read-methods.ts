import type { Kysely } from 'kysely';
import type { CallStore } from '../port.js';
import { selectConflicts, selectDeliveries } from './delivery-queries.js';
import { createGroupCallQueries } from './group-call-queries.js';
import { selectCallPage, streamCallsInChunks } from './list-calls.js';
import { selectCall, selectQuarantine } from './read-queries.js';
import type { Database } from './schema-types.js';

/** The read side of the port that every SQL adapter serves with the same Kysely queries. */
export type SqlReadMethods = Pick<CallStore, 'getCall' | 'listQuarantine' | 'listDeliveries' | 'listConflicts' | 'listCalls' | 'streamCalls' | 'getGroupCall' | 'listGroupCalls' | 'listGroupStays' | 'countOpenGroupSessions' | 'countRecentGroupStays'>;

/** The port's call, group call and quarantine reads on a Kysely instance of either dialect. */
export function createSqlReadMethods(kysely: Kysely<Database>): SqlReadMethods {
  return {
    getCall: (sid) => selectCall(kysely, sid),
    listQuarantine: (query) => selectQuarantine(kysely, query),
    listDeliveries: (sid) => selectDeliveries(kysely, sid),
    listConflicts: (sid) => selectConflicts(kysely, sid),
    listCalls: (query) => selectCallPage(kysely, query),
    streamCalls: (filter) => streamCallsInChunks(kysely, filter),
    ...createGroupCallQueries(kysely),
  };
}
