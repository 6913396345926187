import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runCli } from '../../../test/fixtures/run-cli.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { openSqlite } from '../../storage/sqlite/open-sqlite.js';
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

describe('callevt seed --group', () => {
  it('when run with --group --sessions, then the file holds that many room sessions with their events and stays, and it says so', async () => {
    const temp = tempDatabaseFile();
    try {
      const run = await runCli(['seed', '--group', '--sessions', '40', '--days', '2', '--max-participants', '5', '--db', temp.file]);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /^seeded 40 group sessions \(\d+ events, \d+ stays\) over 2 days into /);
      const db = openSqlite(temp.file);
      try {
        const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
        assert.equal(count('group_sessions'), 40);
        assert.ok(count('group_call_events') > 40 * 3);
        assert.ok((db.prepare('SELECT max(participants) AS p FROM group_sessions').get() as { p: number }).p <= 5);
        assert.equal(count('calls'), 0);
      } finally {
        db.close();
      }
    } finally {
      temp.cleanup();
    }
  });

  it('when --calls is given with --group, or --sessions without it, then it refuses and writes nothing', async () => {
    const temp = tempDatabaseFile();
    try {
      const both = await runCli(['seed', '--group', '--calls', '10', '--db', temp.file]);
      assert.notEqual(both.status, 0);
      assert.match(both.stderr, /--calls seeds 1-to-1 calls: give --sessions with --group/);
      const alone = await runCli(['seed', '--sessions', '10', '--db', temp.file]);
      assert.notEqual(alone.status, 0);
      assert.match(alone.stderr, /--sessions and --max-participants go with --group/);
      assert.equal(existsSync(temp.file), false);
    } finally {
      temp.cleanup();
    }
  });
});
