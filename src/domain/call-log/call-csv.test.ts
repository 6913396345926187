import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsv } from '../../../test/fixtures/parse-csv.js';
import { CSV_COLUMNS, callJsonToCsvLine, csvCell } from './call-csv.js';

describe('CSV cells and spreadsheet formulas', () => {
  it('when a text cell starts with =, +, -, @, tab or CR, then it is quoted with a leading single quote', () => {
    for (const text of ['=1+2', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://x","y")']) {
      const cell = csvCell(text);
      assert.ok(cell.startsWith(`"'`), `${JSON.stringify(text)} → ${cell}`);
      assert.deepEqual(parseCsv(`${cell}\r\n`), [[`'${text}`]]);
    }
  });

  it('when a text cell starts with anything else, then it is written as before', () => {
    assert.equal(csvCell('alice'), 'alice');
    assert.equal(csvCell('a=b'), 'a=b');
    assert.equal(csvCell('say "hi", bye'), '"say ""hi"", bye"');
    assert.equal(csvCell(' leading space'), '" leading space"');
  });

  it('when raw is asked for, then a formula-like text cell is written exactly as stored', () => {
    assert.equal(csvCell('=1+2', { raw: true }), '=1+2');
    assert.equal(csvCell('-1', { raw: true }), '-1');
    assert.equal(csvCell('\tx', { raw: true }), '"\tx"'); // quoted for its leading space, not prefixed
  });

  it('when a value is typed as a number, then a negative one is left a number (no quote), while the same text is neutralised', () => {
    assert.equal(csvCell(-5), '-5');
    assert.equal(csvCell('-5'), `"'-5"`);
  });

  it('when a call has a formula in a text field and a negative number, then only the text field is prefixed', () => {
    const call = { sid: 's1', app_svr_data: '=cmd|"/c calc"!A1', rel_code: -1, user_rel_code: '-5', status: { outcome: 'completed' } };
    const [row] = parseCsv(callJsonToCsvLine(call));
    const cell = (name: (typeof CSV_COLUMNS)[number]) => row?.[CSV_COLUMNS.indexOf(name)];
    assert.equal(cell('app_svr_data'), `'=cmd|"/c calc"!A1`);
    assert.equal(cell('user_rel_code'), "'-5");
    assert.equal(cell('rel_code'), '-1');
    assert.equal(cell('outcome'), 'completed');
    const [rawRow] = parseCsv(callJsonToCsvLine(call, { raw: true }));
    assert.equal(rawRow?.[CSV_COLUMNS.indexOf('app_svr_data')], '=cmd|"/c calc"!A1');
  });
});
