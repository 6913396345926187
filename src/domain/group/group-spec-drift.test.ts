import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GROUP_CALL_FIELDS, KNOWN_UE_TYPES } from '../group-call-event.js';
import { STAY_STATUSES } from './stay-status.js';
import { summarizeGroupSessions } from './summarize-group-sessions.js';

/** The rows of the first table after `heading` in a spec file (from the repository root), as trimmed cells. */
function tableAfter(file: string, heading: string): string[][] {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(heading);
  assert.ok(start >= 0, `${file} has "${heading}"`);
  const lines = text.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('| '));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|').slice(1, -1).map((cell) => cell.trim()));
  }
  return rows;
}

/** The `code` names of a cell. */
const namesIn = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');

describe('docs/spec and the group-call code say the same', () => {
  it('when callbacks.md §2.1 lists the fields, then they are GROUP_CALL_FIELDS, with the same required ones', () => {
    const rows = tableAfter('docs/spec/callbacks.md', '### 2.1 Fields');
    const documented = rows.flatMap((cells) => namesIn(cells[0] ?? '').map((name) => [name, cells[2] === 'yes'] as const));
    assert.deepEqual(
      new Map(documented),
      new Map(GROUP_CALL_FIELDS.map((f) => [f.name, f.required] as const)),
    );
  });

  it('when callbacks.md §2.1 lists the devices of ue_type, then they are KNOWN_UE_TYPES', () => {
    const row = tableAfter('docs/spec/callbacks.md', '### 2.1 Fields').find((cells) => cells[0] === '`ue_type`');
    assert.deepEqual(namesIn(row?.[3] ?? '').filter((name) => /^[A-Z][A-Z_]+$/.test(name)), [...KNOWN_UE_TYPES]);
  });

  it('when group-calls.md §3.1 lists the statuses, then they are STAY_STATUSES, in order', () => {
    const rows = tableAfter('docs/spec/group-calls.md', '### 3.1 Statuses');
    assert.deepEqual(rows.map((cells) => namesIn(cells[0] ?? '')[0]), [...STAY_STATUSES]);
  });

  it('when group-calls.md §4 names a figure, then summarizeGroupSessions gives it, and every count it gives is named', () => {
    const documented = new Set(tableAfter('docs/spec/group-calls.md', '## 4. Group figures').flatMap((cells) => namesIn(cells[0] ?? '')));
    const given = Object.keys(summarizeGroupSessions([]));
    for (const name of documented) assert.ok(given.includes(name), `${name} is a figure`);
    for (const name of given.filter((n) => !n.endsWith('_sec'))) assert.ok(documented.has(name), `${name} is documented`);
  });
});
