/** The Call Event relay: the outbox at a glance and the dead letters, each with a retry button. */
import { apiGet, apiPost } from '../api.js';
import type { DeadLetter, DeadLetterPage, RelayStatus, RetryAnswer } from '../api-types.js';
import { h, replaceChildren } from '../dom.js';
import { formatTime } from '../format.js';
import type { Cleanup } from '../main.js';
import { routeHash } from '../router.js';
import { timeZone } from '../settings.js';
import { errorBox } from './error-box.js';

export function renderRelay(view: HTMLElement, params: URLSearchParams): Cleanup {
  const controller = new AbortController();
  const tz = timeZone();
  const before = params.get('before');
  const summary = h('section', { class: 'card relay-status' }, h('p', { class: 'muted' }, 'Loading…'));
  const list = h('div', { class: 'dead-letters' });
  const pager = h('div', { class: 'pager' });
  const notice = h('p', { class: 'relay-notice', role: 'status' });
  view.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Relay')),
    h('p', { class: 'muted' }, "Every stored Call Event delivery is passed on to your app's own handler (CALL_EVENT_RELAY_URL). Deliveries the relay gave up on are dead letters: fix the app, then retry them."),
    summary, notice, list, pager);

  const load = () => {
    delete view.dataset.loaded;
    Promise.all([
      apiGet<RelayStatus>('/api/relay/status', {}, controller.signal),
      apiGet<DeadLetterPage>('/api/relay/dead-letters', { limit: 50, before }, controller.signal),
    ])
      .then(([status, page]) => {
        replaceChildren(summary, statusLine(status));
        const retryAll = h('button', { type: 'button', class: 'retry-all' }, 'Retry all dead letters');
        retryAll.addEventListener('click', () => retry({ all: true }));
        replaceChildren(list,
          ...(page.items.length === 0 ? [h('p', { class: 'muted' }, 'No dead letters.')] : [retryAll, ...page.items.map((d) => deadLetterCard(d, tz, retry))]));
        replaceChildren(pager,
          before === null ? null : h('a', { class: 'button', href: '#/relay' }, '← Newest'),
          page.next_before === null ? null : h('a', { class: 'button', href: routeHash('/relay', { before: page.next_before }) }, 'Older →'));
      })
      .catch((error: unknown) => replaceChildren(list, errorBox(error)))
      .finally(() => {
        view.dataset.loaded = 'true';
      });
  };
  const retry = (body: { ids: number[] } | { all: true }) => {
    apiPost<RetryAnswer>('/api/relay/dead-letters/retry', body)
      .then((answer) => {
        notice.textContent = `${answer.retried} dead letter${answer.retried === 1 ? '' : 's'} back in line.`;
        load();
      })
      .catch((error: unknown) => replaceChildren(notice, errorBox(error)));
  };
  load();
  return () => controller.abort();
}

function statusLine(s: RelayStatus): HTMLElement {
  const figure = (label: string, value: number, name: string) => h('span', { class: 'figure', 'data-figure': name }, h('strong', {}, String(value)), ` ${label}`);
  const age = s.oldest_pending_age_ms === null ? null : h('span', { class: 'muted' }, ` · oldest pending ${Math.round(s.oldest_pending_age_ms / 1000)} s`);
  return h('p', {},
    s.enabled ? null : h('span', { class: 'muted' }, 'This server does not relay (CALL_EVENT_RELAY_URL is not set). '),
    figure('pending', s.pending, 'pending'), ' · ', figure('in flight', s.in_flight, 'in_flight'), ' · ',
    figure('delivered', s.delivered, 'delivered'), ' · ', figure('dead', s.dead, 'dead'), age);
}

function deadLetterCard(d: DeadLetter, tz: string, retry: (body: { ids: number[] }) => void): HTMLElement {
  const button = h('button', { type: 'button', class: 'retry' }, 'Retry');
  button.addEventListener('click', () => {
    button.setAttribute('disabled', '');
    retry({ ids: [d.id] });
  });
  return h('article', { class: 'card entry', 'data-id': d.id },
    h('header', {}, h('strong', {}, `#${d.id}`), ' ', h('a', { href: routeHash(`/calls/${encodeURIComponent(d.sid)}`) }, d.sid), ' ', button),
    h('p', {}, `${d.method} received ${formatTime(Math.floor(Date.parse(d.received_at) / 1000), tz)}; gave up ${formatTime(Math.floor(Date.parse(d.dead_at) / 1000), tz)} after ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}: `,
      h('code', { class: 'last-error' }, d.last_error ?? '(no error kept)')),
    h('p', { class: 'muted' }, 'webhook-id ', h('code', {}, d.delivery_id)));
}
