import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatProgressLine, formatSummaryTable } from './format-run-report.js';
import { SendStats } from './send-stats.js';

describe('run report', () => {
  it('when answers of every class arrived, then the summary counts each and the throughput', () => {
    const stats = new SendStats();
    stats.recordAnswer(200, 'accepted', 2);
    stats.recordAnswer(200, 'duplicate', 4);
    stats.recordAnswer(400, 'invalid_callback', 3);
    stats.recordAnswer(503, 'storage_unavailable', 50);
    stats.recordError();
    const table = formatSummaryTable(stats, 1_000);
    assert.match(table, /requests\s+5 in 1\.00 s/);
    assert.match(table, /throughput\s+5 req\/s/);
    assert.match(table, /2xx 2 {2}3xx 0 {2}4xx 1 {2}5xx 1 {2}no answer 1/);
    assert.match(table, /accepted 1 {2}duplicate 1 {2}invalid_callback 1 {2}storage_unavailable 1/);
    assert.match(table, /max 50\.0 ms/);
  });

  it('when progress is shown, then the line holds the count, the rate and the status classes', () => {
    const stats = new SendStats();
    stats.recordAnswer(200, 'accepted', 1.5);
    const line = formatProgressLine(stats, 2_500, 1234.4);
    assert.match(line, /2\.5 s {2}sent +1 +1234 req\/s {2}2xx 1 {2}4xx 0 {2}5xx 0 {2}err 0/);
    assert.doesNotMatch(line, /\n/);
  });
});
