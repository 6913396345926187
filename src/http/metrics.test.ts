import assert from 'node:assert/strict';
import { it } from 'node:test';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { createTestApp } from '../../test/fixtures/test-app.js';

it('when callbacks are accepted, duplicated and quarantined, then /metrics counts them by result, outcome and type without ids', async () => {
  const t = await createTestApp();
  const other = await createTestApp();
  try {
    const values = validCallbackValues({ from_user_id: 'secret.user.42' });
    await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(values)}` });
    await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(values)}` });
    await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams({ ...values, sid: 'bad' })}` });
    const res = await t.app.inject({ url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/plain/);
    const text = res.body;
    assert.match(text, /callevt_callbacks_total\{result="accepted"\} 1\n/);
    assert.match(text, /callevt_callbacks_total\{result="duplicate"\} 1\n/);
    assert.match(text, /callevt_callbacks_total\{result="quarantined"\} 1\n/);
    assert.match(text, /callevt_callbacks_total\{result="conflict"\} 0\n/);
    assert.match(text, /callevt_calls_recorded_total\{outcome="completed",type="V"\} 1\n/);
    assert.match(text, /callevt_ingest_duration_seconds_count\{result="accepted"\} 1\n/);
    assert.match(text, /callevt_commit_batch_size_count \d+\n/);
    assert.doesNotMatch(text, /secret\.user\.42|[0-9a-f]{8}-[0-9a-f]{4}-/);
    // Each app has its own registry: the other app saw nothing.
    assert.match((await other.app.inject({ url: '/metrics' })).body, /callevt_callbacks_total\{result="accepted"\} 0\n/);
  } finally {
    await t.cleanup();
    await other.cleanup();
  }
});
