// A node:test reporter that writes one JSON line per finished test or suite, for
// run-tests.js to count. Node's own summary counts a skipped test but not a skipped
// suite (`describe(..., { skip })`), whose tests then never run: this one sees both.

/** @param {AsyncIterable<{ type: string, data: any }>} source */
export default async function* tallyReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, file, skip, todo, details } = event.data;
    let outcome = event.type === 'test:pass' ? 'passed' : 'failed';
    if (todo !== undefined) outcome = 'todo';
    else if (skip !== undefined) outcome = 'skipped';
    const reason = typeof (skip ?? todo) === 'string' ? (skip ?? todo) : '';
    yield `${JSON.stringify({ outcome, suite: details?.type === 'suite', name, file: file ?? '', reason })}\n`;
  }
}
