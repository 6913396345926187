import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatsCall } from '../../domain/stats/figures.js';
import { HOUR_GRAIN, QUARTER_GRAIN } from '../../domain/stats/rollup-cells.js';
import { mergeNewCells } from '../sql/rollup-add.js';
import { rollupTableOf } from '../sql/rollup-tables.js';
import { cellToValues, ROLLUP_COLUMNS, type RollupRow } from '../sql/rollup-rows.js';
import { migrateSqlite } from './migrate.js';
import { openSqlite } from './open-sqlite.js';
import { createSqliteRollups } from './rollups.js';

const HOUR = 1_700_000_000 - (1_700_000_000 % 3600);

/** A call set up `offset` seconds into the hour; `talk` seconds of conversation (0: not answered). */
function call(offset: number, talk: number, overrides: Partial<StatsCall> = {}): StatsCall {
  const setup = HOUR + offset;
  const answered = talk > 0;
  return {
    setup_time: setup, start_time: answered ? setup + 4 : 0, end_time: setup + 4 + talk, duration: talk, billing_sec: answered ? talk : null,
    outcome: answered ? 'completed' : 'no_answer', reason: answered ? 'normal' : 'no_answer', terminate: 0, ended_by: 'caller', type: 'A',
    from_service_id: 'svc-a', to_service_id: 'svc-b', from_user_id: 'u1', to_user_id: 'u2', ...overrides,
  };
}

describe('rollup rows merged by the SQLite upsert', () => {
  it('when calls are added to rows that already hold calls, then every row equals what mergeNewCells computes from the stored row', () => {
    const db = openSqlite(':memory:');
    try {
      migrateSqlite(db, 0);
      const rollups = createSqliteRollups(db);
      // The first batch: rows exist with histograms, peaks and reach vectors of their own.
      rollups.addCalls([call(10, 300), call(20, 5000), call(30, 0), call(900, 61, { to_service_id: 'svc-c' })]);
      // A peak refresh writes full reach vectors, as the read side does between ingest batches.
      rollups.refreshStalePeaks(undefined, undefined, HOUR_GRAIN);
      rollups.refreshStalePeaks(undefined, undefined, QUARTER_GRAIN);
      const added = [call(15, 299), call(25, 7200, { outcome: 'dropped', reason: 'network' }), call(40, 0, { type: 'V' }), call(905, 2)];
      for (const grain of [HOUR_GRAIN, QUARTER_GRAIN]) {
        const table = rollupTableOf(grain);
        const stored = new Map((db.prepare(`SELECT * FROM ${table}`).all() as RollupRow[]).map((r) => [`${r.dim}|${r.slot}|${r.value}`, r]));
        const expected = mergeNewCells(added, (cell) => stored.get(`${cell.dim}|${cell.slot}|${cell.value}`), grain).map(cellToValues);
        rollups.addCalls(added, { grains: [grain], blocks: false });
        for (const values of expected) {
          const [slot, dim, value] = values;
          const row = db.prepare(`SELECT * FROM ${table} WHERE dim = ? AND slot = ? AND value = ?`).get(dim, slot, value) as Record<string, unknown>;
          assert.deepEqual(ROLLUP_COLUMNS.map((c) => row[c]), values, `${table} ${dim}=${value} at ${slot}`);
        }
      }
    } finally {
      db.close();
    }
  });
});
