/** The token dialog: one at a time, however many requests were refused together. */
import { h } from './dom.js';

let pending: Promise<string> | null = null;

/** Asks the user for the API token; resolves with what they typed. */
export function askForToken(problem: string | null): Promise<string> {
  pending ??= showDialog(problem).finally(() => {
    pending = null;
  });
  return pending;
}

function showDialog(problem: string | null): Promise<string> {
  return new Promise((resolve) => {
    const input = h('input', {
      type: 'password', name: 'token', autocomplete: 'off', required: true, minlength: 1, 'aria-label': 'API token', id: 'token-input',
    });
    const form = h('form', { method: 'dialog', class: 'token-form' },
      h('h2', { id: 'token-title' }, 'API token needed'),
      h('p', {}, 'This callevt server asks for a token (its API_TOKEN). It is kept for this browser tab only.'),
      problem === null ? null : h('p', { class: 'error', role: 'alert' }, problem),
      input,
      h('button', { type: 'submit', class: 'primary' }, 'Continue'),
    );
    const dialog = h('dialog', { id: 'token-dialog', 'aria-labelledby': 'token-title' }, form);
    dialog.addEventListener('cancel', (event) => event.preventDefault()); // no data without a token
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (value === '') return;
      dialog.close();
      dialog.remove();
      resolve(value);
    });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}
