/** How a page shows a failed request. */
import { ApiError } from '../api.js';
import { h } from '../dom.js';

export function errorBox(error: unknown): HTMLElement {
  if (error instanceof DOMException && error.name === 'AbortError') return h('span');
  if (error instanceof ApiError) {
    const missing = error.status === 404 && error.code === 'not_found' && error.message.startsWith('No route');
    return h('div', { class: 'error', role: 'alert' },
      missing ? 'This server does not offer this figure yet: ' : '',
      error.message,
      error.details.length === 0 ? null : h('ul', {}, ...error.details.map((d) => h('li', {}, `${d.field}: ${d.problem}`))));
  }
  return h('div', { class: 'error', role: 'alert' }, `The server could not be reached: ${error instanceof Error ? error.message : String(error)}`);
}
