import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type GroundTruth, groundTruthLines, parseGroundTruth, totalsOf } from './ground-truth.js';

const META = { kind: 'meta', format: 'callevt-ground-truth', version: 1, seed: 's', epoch: 1_800_000_000, span_sec: 3_600 } as const;

describe('ground truth file', () => {
  it('when written and read back, then it is the same truth', () => {
    const truth: GroundTruth = {
      meta: META,
      calls: [],
      malformed: [{ kind: 'malformed', query: 'sid=x', defect: 'short_sid', fields: ['sid'], status: 400 }],
      lives: [],
      totals: totalsOf([], [{ kind: 'malformed', query: 'sid=x', defect: 'short_sid', fields: ['sid'], status: 400 }]),
    };
    const text = [...groundTruthLines(truth)].join('');
    assert.equal(text.split('\n').length, 4);
    assert.deepEqual(parseGroundTruth(text), truth);
  });

  it('when a line is not JSON, then the error names the line', () => {
    assert.throws(() => parseGroundTruth(`${JSON.stringify(META)}\n{oops\n`), /line 2 is not JSON/);
  });

  it('when the meta line is missing or of another format, then it is refused', () => {
    assert.throws(() => parseGroundTruth('{"kind":"totals"}\n'), /no "callevt-ground-truth" meta line/);
    assert.throws(() => parseGroundTruth(JSON.stringify({ ...META, version: 3 })), /not a callevt-ground-truth file of version 1 or 2/);
  });

  it('when the totals line is missing (an interrupted write), then it is refused', () => {
    assert.throws(() => parseGroundTruth(`${JSON.stringify(META)}\n`), /incomplete: no totals line/);
  });
});
