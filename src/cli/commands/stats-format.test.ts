import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarizeCalls } from '../../domain/stats/summarize-calls.js';
import { formatFigure, formatSummary, sparkline } from './stats-format.js';
import { statsRequest } from './stats.js';

describe('callevt stats output', () => {
  it('when a series rises, then the sparkline climbs from the lowest to the highest block and nulls are blanks', () => {
    assert.equal(sparkline([0, 5, 10]), '▁▅█');
    assert.equal(sparkline([3, null, 3]), '▁ ▁');
  });

  it('when figures are formatted, then ratios are percentages, fractional seconds get one decimal and nulls a dash', () => {
    assert.equal(formatFigure('asr', 0.6934), '69.3%');
    assert.equal(formatFigure('acd_sec', 110.84), '110.8');
    assert.equal(formatFigure('attempts', 49935), '49,935');
    assert.equal(formatFigure('drop_rate', null), '–');
  });

  it('when a summary of no calls is printed, then every figure has a row', () => {
    const lines = formatSummary(summarizeCalls([])).split('\n');
    assert.equal(lines.length, 2 + 22);
    assert.match(lines[2] ?? '', /^attempts\s+0$/);
  });
});

describe('callevt stats options', () => {
  it('when --since and --by are given, then it asks the breakdown endpoint with a relative from', () => {
    const { path, query } = statsRequest({ since: '24h', by: 'reason', limit: '5', filter: ['outcome=dropped'] });
    assert.equal(path, '/api/stats/breakdown');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(query)), { from: '-24h', outcome: 'dropped', by: 'reason', limit: '5' });
  });

  it('when --bucket is given, then it asks the time series endpoint', () => {
    assert.equal(statsRequest({ bucket: 'day', tz: 'Asia/Tokyo', filter: [] }).path, '/api/stats/timeseries');
  });

  it('when --since and --from are both given or --since is malformed, then it refuses', () => {
    assert.throws(() => statsRequest({ since: '24h', from: '0', filter: [] }), /not both/);
    assert.throws(() => statsRequest({ since: 'yesterday', filter: [] }), /--since/);
    assert.throws(() => statsRequest({ filter: ['novalue'] }), /key=value/);
  });
});
