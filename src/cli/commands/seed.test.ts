import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { progressBar } from './seed.js';

function capture(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, write: (text: string) => written.push(text) }, written };
}

describe('callevt seed progress bar', () => {
  it('when there is no terminal, then each update and each note is a line of its own, the note after the final count', () => {
    const { stream, written } = capture(false);
    const bar = progressBar(stream, 1_000, 'calls');
    bar.update(500);
    bar.update(1_000);
    bar.note('building index 1 of 2 (calls_end_time)');
    bar.done();
    assert.equal(written.length, 3);
    assert.ok(written.every((line) => line.endsWith('\n') && !line.includes('\r')));
    assert.match(written[0] ?? '', /^\[#{15}-{15}\] {2}50% {2}500\/1,000 calls {2}[\d,]+\/s\n$/);
    assert.match(written[2] ?? '', /^\[#{30}\] 100% {2}1,000\/1,000 calls {2}[\d,]+\/s {2}building index 1 of 2 \(calls_end_time\)\n$/);
  });

  it('when on a terminal, then the line is rewritten in place and a shorter line clears what the longer one left', () => {
    const { stream, written } = capture(true);
    const bar = progressBar(stream, 10, 'calls');
    bar.update(10);
    bar.note('building index 1 of 1 (calls_from_user)');
    bar.update(10);
    bar.done();
    assert.ok(written.slice(0, 3).every((text) => text.startsWith('\r') && !text.includes('\n')));
    assert.equal(written[2]?.length, written[1]?.length, 'the shorter line is padded to the longer one');
    assert.equal(written[3], '\n');
  });
});
