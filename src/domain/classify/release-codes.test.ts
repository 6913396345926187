import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type CodeInfo, DISCONNECT_REASONS, LEGACY_CALL_END_REASONS, RELEASER_TYPES, TERMINATE_CAUSES } from './release-codes.js';

/** The callbacks' own document, from the repository root (tests run from there). */
const CALLBACKS_SPEC = 'docs/spec/callbacks.md';

/** The table rows under one `### heading`, as trimmed cells. */
function tableRows(heading: string): string[][] {
  const text = readFileSync(CALLBACKS_SPEC, 'utf8');
  const start = text.indexOf(heading);
  assert.ok(start >= 0, `${CALLBACKS_SPEC} has "${heading}"`);
  const next = text.indexOf('\n### ', start + heading.length);
  const section = text.slice(start, next === -1 ? undefined : next);
  return section
    .split('\n')
    .filter((line) => /^\| \d/.test(line))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
}

/** "1010 / 1011" with "CALLER_ / CALLEE_NETWORK_ERROR" stands for two codes. */
function expandPairs(rows: string[][], nameColumn: number, kindColumn: number): Array<[number, string, string]> {
  return rows.flatMap((cells) => {
    const codes = (cells[0] ?? '').split(' / ').map(Number);
    const name = cells[nameColumn] ?? '';
    const kind = cells[kindColumn] ?? '';
    if (codes.length === 1) return [[codes[0] ?? Number.NaN, name, kind] as [number, string, string]];
    const [sides = '', rest = ''] = name.split(' / ');
    const suffix = rest.replace(/^CALLEE_/, '');
    const prefixes = [sides.trim(), 'CALLEE_'];
    return codes.map((code, i) => [code, `${prefixes[i]}${suffix}`, kind] as [number, string, string]);
  });
}

function assertTableMatches(documented: Array<[number, string, string]>, table: ReadonlyMap<number, CodeInfo>) {
  for (const [code, name, kind] of documented) {
    const info = table.get(code);
    assert.ok(info !== undefined, `code ${code} (${name}) is documented but not in the table`);
    assert.deepEqual([info.name, info.kind], [name, kind], `code ${code}`);
  }
}

describe('release-code tables and docs/spec/callbacks.md say the same', () => {
  it('when §5.3 lists a disconnect_reason, then the table has it with the same name and kind', () => {
    const rows = expandPairs(tableRows('### 5.3'), 1, 3);
    assert.ok(rows.length >= 40);
    assertTableMatches(rows, DISCONNECT_REASONS);
    const documented = new Set(rows.map(([code]) => code));
    const retired = [1101, 1102, 1103, 1104, 1105, 1106, 1107, 1108, 1306, 1307, 1403];
    for (const code of DISCONNECT_REASONS.keys()) {
      assert.ok(documented.has(code) || retired.includes(code), `table code ${code} is documented`);
    }
  });

  it('when §5.4 lists a legacy call_end_reason, then the table has it with the same name and kind, and nothing else', () => {
    const rows = expandPairs(tableRows('### 5.4'), 1, 2);
    assertTableMatches(rows, LEGACY_CALL_END_REASONS);
    assert.deepEqual(new Set(rows.map(([code]) => code)), new Set(LEGACY_CALL_END_REASONS.keys()));
  });

  it('when §5.1 lists a terminate cause, then the table has it with the same name', () => {
    const rows = tableRows('### 5.1');
    assert.deepEqual(rows.map((r) => [Number(r[0]), r[1]]), [...TERMINATE_CAUSES].map(([code, info]) => [code, info.name]));
  });

  it('when §5.2 lists releaser_type values, then the table has the same six', () => {
    const text = readFileSync(CALLBACKS_SPEC, 'utf8');
    const line = text.slice(text.indexOf('### 5.2'), text.indexOf('### 5.3'));
    for (const code of RELEASER_TYPES.keys()) assert.match(line, new RegExp(`\\b${code} `), `releaser_type ${code} is documented`);
  });
});
