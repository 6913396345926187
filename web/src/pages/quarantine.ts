/** Refused callbacks, newest first, with the reason for each refusal. */
import { apiGet } from '../api.js';
import type { QuarantineEntry, QuarantinePage } from '../api-types.js';
import { h, replaceChildren } from '../dom.js';
import { formatTime } from '../format.js';
import type { Cleanup } from '../main.js';
import { routeHash } from '../router.js';
import { timeZone } from '../settings.js';
import { errorBox } from './error-box.js';

export function renderQuarantine(view: HTMLElement, params: URLSearchParams): Cleanup {
  const controller = new AbortController();
  const tz = timeZone();
  const before = params.get('before');
  const list = h('div', { class: 'quarantine' }, h('p', { class: 'muted' }, 'Loading…'));
  const pager = h('div', { class: 'pager' });
  view.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Quarantine')),
    h('p', { class: 'muted' }, 'Callbacks that were refused (answered 4xx) and kept as they arrived, so that nothing sent to this server disappears.'),
    list, pager);
  apiGet<QuarantinePage>('/api/quarantine', { limit: 50, before }, controller.signal)
    .then((page) => {
      replaceChildren(list, ...(page.items.length === 0 ? [h('p', { class: 'muted' }, 'Nothing was refused.')] : page.items.map((e) => entryCard(e, tz))));
      replaceChildren(pager,
        before === null ? null : h('a', { class: 'button', href: '#/quarantine' }, '← Newest'),
        page.next_before === null ? null : h('a', { class: 'button', href: routeHash('/quarantine', { before: page.next_before }) }, 'Older →'));
    })
    .catch((error: unknown) => replaceChildren(list, errorBox(error)))
    .finally(() => {
      view.dataset.loaded = 'true';
    });
  return () => controller.abort();
}

function entryCard(entry: QuarantineEntry, tz: string): HTMLElement {
  const receivedSeconds = Math.floor(Date.parse(entry.received_at) / 1000);
  return h('article', { class: 'card entry', 'data-id': entry.id },
    h('header', {}, h('strong', {}, `#${entry.id}`), ' ', h('span', {}, formatTime(receivedSeconds, tz)), ' ',
      h('code', {}, `${entry.method} ${entry.path}`), ' ', h('span', { class: 'muted' }, `from ${entry.source_ip}`)),
    h('ul', { class: 'reasons' }, ...entry.reasons.map((r) => h('li', { 'data-field': r.field }, h('code', {}, r.field), ` ${r.problem}`))),
    h('details', {}, h('summary', {}, 'Request as received'),
      h('pre', { class: 'raw' }, entry.query === '' ? '(no query)' : `?${entry.query.replaceAll('&', '\n&')}`),
      entry.body === null ? null : h('pre', { class: 'raw' }, entry.body)));
}
