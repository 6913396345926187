import { type GroupExportRows, type GroupSessionLine, type GroupStayLine, stayLineOf } from '../domain/group/group-export-lines.js';
import type { CallStore, GroupCallFilter, GroupCallPosition, GroupStateClock } from './port.js';

/** Sessions read per query of a group export: one page (and its stays) in memory at a time. */
export const GROUP_EXPORT_PAGE = 500;

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
  store: Pick<CallStore, 'listGroupCalls' | 'listGroupStays'>,
  filter: GroupCallFilter,
  clock: GroupStateClock,
  rows: GroupExportRows,
  pageSize = GROUP_EXPORT_PAGE,
): AsyncGenerator<GroupSessionLine | GroupStayLine> {
  let after: GroupCallPosition | undefined;
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
