/**
 * "← Newer" and "Older →" for a list paged by keyset cursors (the call list and the group
 * call list): the API only goes forward, so the cursors walked are remembered per filter
 * while the tab lives, and Newer goes back to the one before.
 */
import { h } from './dom.js';
import { routeHash } from './router.js';

/** Walked cursors of one list page, by its filters. */
export type CursorHistory = Map<string, string[]>;

/** The Newer and Older links (each only when there is a page that way) of a page at `cursor`. */
export function cursorPagerLinks(
  path: string,
  params: URLSearchParams,
  page: { cursor: string | null; nextCursor: string | null },
  history: CursorHistory,
  filterKey: string,
): Array<HTMLElement | null> {
  const { cursor, nextCursor } = page;
  const walked = history.get(filterKey) ?? [];
  const back = cursor === null ? null : walked[walked.indexOf(cursor) - 1] ?? '';
  const base = Object.fromEntries(params.entries());
  return [
    cursor === null ? null : h('a', { class: 'button', href: routeHash(path, { ...base, cursor: back === '' ? null : back }), 'data-testid': 'newer' }, '← Newer'),
    nextCursor === null ? null : h('a', {
      class: 'button', href: routeHash(path, { ...base, cursor: nextCursor }), 'data-testid': 'older',
      onclick: () => {
        const list = history.get(filterKey) ?? [];
        if (cursor !== null && !list.includes(cursor)) list.push(cursor);
        if (!list.includes(nextCursor)) list.push(nextCursor);
        history.set(filterKey, list);
      },
    }, 'Older →'),
  ];
}
