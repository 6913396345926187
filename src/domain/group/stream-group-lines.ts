import type { GroupCursorPosition } from './group-call-cursor.js';
import { type GroupExportRows, type GroupSessionLine, type GroupStayLine, stayLineOf } from './group-export-lines.js';
import type { GroupClock, ParticipantStay } from './group-session.js';
import type { GroupCallFilter } from './parse-group-call-filter.js';

/** Sessions read per query of a group export: one page (and its stays) in memory at a time. */
export const GROUP_EXPORT_PAGE = 500;

/** The part of the storage port a group export reads (declared here: logic imports no storage). */
export interface GroupLinesStore {
  listGroupCalls(query: { filter: GroupCallFilter; clock: GroupClock; limit: number; after?: GroupCursorPosition }): Promise<{
    calls: GroupSessionLine[];
    next: GroupCursorPosition | null;
  }>;
  listGroupStays(sids: readonly string[]): Promise<Map<string, ParticipantStay[]>>;
}

/**
 * Every session matching `filter`, newest start first, or every stay of those sessions
 * (in each session's order), read page by page with the list's keyset cursor: memory
 * stays at one page whatever the export's size, and sessions stored meanwhile never
 * repeat or shift a line. One clock reads every session's state, so one export is one
 * moment.
 *
 * @example for await (const line of streamGroupLines(store, { id: 'room-1' }, clock, 'stays')) write(line);
 */
export async function* streamGroupLines(
  store: GroupLinesStore,
  filter: GroupCallFilter,
  clock: GroupClock,
  rows: GroupExportRows,
  pageSize = GROUP_EXPORT_PAGE,
): AsyncGenerator<GroupSessionLine | GroupStayLine> {
  let after: GroupCursorPosition | undefined;
  do {
    const page = await store.listGroupCalls({ filter, clock, limit: pageSize, ...(after === undefined ? {} : { after }) });
    if (rows === 'sessions') yield* page.calls;
    else {
      const stays = await store.listGroupStays(page.calls.map((call) => call.sid));
      for (const call of page.calls) for (const stay of stays.get(call.sid) ?? []) yield stayLineOf(call, stay);
    }
    after = page.next ?? undefined;
  } while (after !== undefined);
}
