/** Refused callbacks, newest first, with the reason for each refusal. */
import { apiGet, apiPost } from '../api.js';
import type { QuarantineEntry, QuarantinePage, ReplayAnswer } from '../api-types.js';
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
    replayPanel(tz), list, pager);
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

/**
 * Replay after an upgrade: a dry run first, its result shown entry by entry, then a
 * confirm that runs the replay itself (POST /api/quarantine/replay).
 */
function replayPanel(tz: string): HTMLElement {
  const result = h('div', { class: 'replay-result' });
  const run = async (dryRun: boolean) => {
    replaceChildren(result, h('p', { class: 'muted' }, dryRun ? 'Checking…' : 'Replaying…'));
    try {
      const answer = await apiPost<ReplayAnswer>('/api/quarantine/replay', { dry_run: dryRun });
      replaceChildren(result, ...replayReport(answer, tz), dryRun && answer.entries.some((e) => e.result !== 'quarantined')
        ? h('button', { type: 'button', class: 'button confirm-replay', onclick: () => void run(false) }, 'Replay now')
        : null);
    } catch (error) {
      replaceChildren(result, errorBox(error));
    }
  };
  return h('section', { class: 'card replay' },
    h('p', {}, 'After an upgrade, refused callbacks can be read again with this version\'s parser: those that now parse become calls as if they had arrived then.'),
    h('button', { type: 'button', class: 'button dry-run-replay', onclick: () => void run(true) }, 'Check what a replay would change'),
    result);
}

function replayReport(answer: ReplayAnswer, tz: string): HTMLElement[] {
  const c = answer.counts;
  const verb = answer.dry_run ? 'would become' : 'became';
  const summary = `${answer.dry_run ? 'Dry run, nothing written: ' : 'Replayed: '}${c.accepted} accepted, ${c.duplicate} duplicate, ${c.conflict} conflict, ${c.quarantined} still refused` +
    (answer.skipped > 0 ? `, ${answer.skipped} skipped (raw request pruned)` : '');
  return [
    h('p', { class: 'replay-summary' }, summary),
    h('ul', { class: 'replay-entries' }, ...answer.entries.map((e) => h('li', { 'data-id': e.quarantine_id, 'data-result': e.result },
      h('strong', {}, `#${e.quarantine_id}`), ` ${formatTime(Math.floor(Date.parse(e.received_at) / 1000), tz)} `,
      e.result === 'quarantined'
        ? `${answer.dry_run ? 'would stay' : 'stays'}: ${(e.reasons ?? []).map((r) => `${r.field} ${r.problem}`).join('; ')}`
        : `${verb} ${e.result} `,
      e.result === 'quarantined' || e.sid === null ? null : h('a', { href: routeHash(`/calls/${e.sid}`, {}) }, e.sid)))),
    ...(answer.unlisted > 0 ? [h('p', { class: 'muted' }, `… and ${answer.unlisted} more (counted above)`)] : []),
  ];
}
