import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupDeliveryOf } from '../../../test/contract/group-calls-contract.js';
import { groupCallValuesOf, newGroupSid, validGroupCallEvent } from '../../../test/fixtures/group-call-fixture.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import type { GroupCallEvent } from '../../domain/group-call-event.js';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { groupStatsRequest, runStatsGroup } from './stats-group.js';

/** 2026-01-01T00:00:00Z in ms. */
const T = 1_767_225_600_000;

/** A room of video calls started at `start`: alice completes, bob times out. */
function room(start: number, mediaType: GroupCallEvent['media_type']): GroupCallEvent[] {
  const sid = newGroupSid();
  const at = (sc: GroupCallEvent['sc'], msc: GroupCallEvent['msc'], user: string, offsetMs: number, online: number) =>
    validGroupCallEvent({ sid, sc, msc, user_id: user, ts: start + offsetMs, media_type: mediaType, online, setup_time: Math.floor(start / 1000), start_time: Math.floor(start / 1000) });
  return [
    at('S', 'C', 'alice', 0, 1),
    at('C', 'C', 'bob', 10_000, 2),
    at('C', 'T', 'bob', 70_000, 1),
    at('E', 'D', 'alice', 130_000, 0),
  ];
}

describe('callevt stats group', () => {
  it('when options name a summary, a series or a breakdown, then the request is the matching endpoint with every filter', () => {
    assert.deepEqual(groupStatsRequest({ from: '2026-01-01T00:00:00Z', filter: ['svc_id=s', 'media_type=video'] }), {
      path: '/api/stats/group',
      query: 'from=2026-01-01T00%3A00%3A00Z&svc_id=s&media_type=video',
    });
    assert.deepEqual(groupStatsRequest({ since: '2h', bucket: 'day', tz: 'Asia/Kolkata' }, T), { path: '/api/stats/group/timeseries', query: `from=${T - 7_200_000}&tz=Asia%2FKolkata&bucket=day` });
    assert.deepEqual(groupStatsRequest({ by: 'ue_type', limit: '5', exact: true }), { path: '/api/stats/group/breakdown', query: 'exact=true&by=ue_type&limit=5' });
    assert.throws(() => groupStatsRequest({ by: 'room', bucket: 'hour' }), /--by or --bucket/);
    assert.throws(() => groupStatsRequest({ since: 'yesterday' }), /--since must look like/);
    assert.throws(() => groupStatsRequest({ filter: ['svc_id'] }), /expected key=value/);
  });

  it('when a database holds two rooms, then --json answers their figures and the tables show them in the zone asked', async () => {
    const db = tempDatabaseFile();
    try {
      const store = createSqliteStore(db.file);
      await store.recordCallbacks([...room(T + 3_600_000, 'V'), ...room(T + 7_200_000, 'A')].map((e) => groupDeliveryOf(groupCallValuesOf(e))));
      await store.close();
      const window = { db: db.file, from: String(T), to: String(T + 86_400_000) };
      const json = JSON.parse(await runStatsGroup({ ...window, json: true }, {})) as { summary: Record<string, unknown> };
      assert.equal(json.summary.sessions, 2);
      assert.equal(json.summary.timed_out, 2);
      assert.equal(json.summary.drop_rate, 0.5);
      const text = await runStatsGroup(window, {});
      assert.match(text, /^sessions\s+2$/m);
      assert.match(text, /^drop rate\s+50\.0%$/m);
      assert.match(text, /^stay duration p50 \/ p90 \/ p99\s+60 s \/ 130 s \/ 130 s$/m);
      const series = await runStatsGroup({ ...window, bucket: 'hour', tz: 'Asia/Kolkata' }, {});
      assert.match(series, /^2026-01-01T06:00:00\+05:30\s+1\s+2\s/m);
      assert.match(series, /^2026-01-01T07:00:00\+05:30\s+1\s+2\s/m);
      const breakdown = await runStatsGroup({ ...window, by: 'media_type' }, {});
      assert.equal(breakdown.split('\n').filter((line) => /^(audio|video|A|V)\s+1\s+2\s/.test(line)).length, 2, breakdown);
    } finally {
      db.cleanup();
    }
  });
});
