/** The dashboard's entry: the header, the time-zone picker and the hash router. */
import './styles.css';
import { h, replaceChildren } from './dom.js';
import { renderCallDetail } from './pages/call-detail.js';
import { renderEndMissing } from './pages/call-life.js';
import { renderCalls } from './pages/calls.js';
import { renderGroupCall } from './pages/group-call.js';
import { renderGroupCalls } from './pages/group-calls.js';
import { renderOverview } from './pages/overview.js';
import { renderQuarantine } from './pages/quarantine.js';
import { renderRelay } from './pages/relay.js';
import { parseRoute } from './router.js';
import { isTimeZone, setTimeZone, timeZone, timeZoneChoices } from './settings.js';

/** What a page gives back: how to stop its timers and requests when the user leaves. */
export type Cleanup = () => void;

const view = document.getElementById('view') as HTMLElement;
const tzSelect = document.getElementById('tz') as HTMLSelectElement;
let cleanup: Cleanup | null = null;

function fillTimeZones(): void {
  replaceChildren(tzSelect, ...timeZoneChoices().map((z) => h('option', { value: z, selected: z === timeZone() }, z)));
}

function route(): void {
  cleanup?.();
  cleanup = null;
  const r = parseRoute(location.hash);
  const tz = r.params.get('tz');
  if (tz !== null && isTimeZone(tz) && tz !== timeZone()) {
    setTimeZone(tz);
    fillTimeZones();
  }
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    const current = link.dataset.page === r.page || (r.page === 'call' && link.dataset.page === 'calls') || (r.page === 'group-call' && link.dataset.page === 'group-calls');
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  view.replaceChildren();
  // Tests and tools wait for these markers: a new page starts without them.
  delete view.dataset.loaded;
  delete view.dataset.generation;
  if (r.page === 'overview') cleanup = renderOverview(view, r.params);
  else if (r.page === 'calls') cleanup = renderCalls(view, r.params);
  else if (r.page === 'call') cleanup = renderCallDetail(view, r.sid);
  else if (r.page === 'group-calls') cleanup = renderGroupCalls(view, r.params);
  else if (r.page === 'group-call') cleanup = renderGroupCall(view, r.sid);
  else if (r.page === 'quarantine') cleanup = renderQuarantine(view, r.params);
  else if (r.page === 'lifecycle') cleanup = renderEndMissing(view);
  else if (r.page === 'relay') cleanup = renderRelay(view, r.params);
  else view.append(h('p', { class: 'error' }, 'No such page. '), h('a', { href: '#/overview' }, 'Go to the overview'));
  view.focus({ preventScroll: true });
}

tzSelect.addEventListener('change', () => {
  setTimeZone(tzSelect.value);
  // The tz parameter of the current page would override the new choice: drop it.
  const [path = '', query = ''] = location.hash.split('?');
  const params = new URLSearchParams(query);
  params.delete('tz');
  const next = `${path}${params.size > 0 ? `?${params.toString()}` : ''}`;
  if (next !== location.hash) location.hash = next;
  else route();
});

fillTimeZones();
window.addEventListener('hashchange', route);
route();
