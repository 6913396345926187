import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deliveryOf } from '../../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { openSpoolFile } from '../../storage/spool/spool-file.js';
import { runSpoolHeld, runSpoolRequeue, runSpoolStatus } from './spool.js';

function spoolWithHeld(): { file: string; sids: string[]; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-spool-cli-'));
  const file = join(dir, 'spool.db');
  const records = Array.from({ length: 4 }, () => deliveryOf(validCallbackValues()));
  const spool = openSpoolFile(file);
  spool.append(records);
  const [first, , third] = spool.readOldest(10);
  spool.hold(first!.id, 'new row violates check constraint "calls_duration"', Date.UTC(2026, 10, 26, 3, 0, 0));
  spool.hold(third!.id, 'value too long', Date.UTC(2026, 10, 26, 3, 0, 1));
  spool.close();
  return { file, sids: records.map((r) => (r.kind === 'event' ? r.event.sid : '')), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('callevt spool', () => {
  it('when a spool holds records, then status counts them, held lists each with its sid and error, and the JSON lines carry the whole record', () => {
    const t = spoolWithHeld();
    try {
      assert.equal(runSpoolStatus(t.file), `${t.file}: 2 waiting for the database, 2 held`);
      const lines = runSpoolHeld(t.file, false).trimEnd().split('\n').map((l) => l.split('\t'));
      assert.deepEqual(lines.map((l) => l.slice(1)), [
        ['2026-11-26T03:00:00.000Z', t.sids[0], 'new row violates check constraint "calls_duration"'],
        ['2026-11-26T03:00:01.000Z', t.sids[2], 'value too long'],
      ]);
      const json = runSpoolHeld(t.file, true).trimEnd().split('\n').map((l) => JSON.parse(l) as { record: { event: { sid: string } } });
      assert.deepEqual(json.map((j) => j.record.event.sid), [t.sids[0], t.sids[2]]);
    } finally {
      t.cleanup();
    }
  });

  it('when held records are requeued (one by id, then the rest), then they join the line at the back and are no longer held', () => {
    const t = spoolWithHeld();
    try {
      const firstHeldId = Number(runSpoolHeld(t.file, false).split('\t')[0]);
      assert.match(runSpoolRequeue(t.file, [firstHeldId, 999]), /^1 held callback back in line; 3 now wait/);
      assert.match(runSpoolRequeue(t.file), /^1 held callback back in line; 4 now wait/);
      const spool = openSpoolFile(t.file);
      try {
        assert.equal(spool.held, 0);
        assert.deepEqual(spool.readOldest(10).map((r) => (r.record.kind === 'event' ? r.record.event.sid : '')), [t.sids[1], t.sids[3], t.sids[0], t.sids[2]]);
      } finally {
        spool.close();
      }
    } finally {
      t.cleanup();
    }
  });

  it('when the file does not exist or its receiver runs, then it refuses and says why, creating nothing', () => {
    const t = spoolWithHeld();
    try {
      assert.throws(() => runSpoolStatus(`${t.file}.typo`), /no spool file at .*\.typo/);
      const running = openSpoolFile(t.file);
      try {
        assert.throws(() => runSpoolRequeue(t.file), /in use: stop the receiver that owns it first/);
      } finally {
        running.close();
      }
    } finally {
      t.cleanup();
    }
  });
});
