import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommitter } from './group-committer.js';

const turns = async (n = 5) => {
  for (let i = 0; i < n; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

/** A commit function whose calls are recorded and finish only when the test says so. */
function heldCommits() {
  const calls: Array<{ items: number[]; finish: (error?: Error) => void }> = [];
  const commit = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ items, finish: (e) => (e ? reject(e) : resolve(items.map((i) => `stored ${i}`))) });
    });
  return { commit, calls };
}

describe('GroupCommitter', () => {
  it('when items arrive while a commit runs, then they wait and are committed together by the next one', async () => {
    const { commit, calls } = heldCommits();
    const committer = new GroupCommitter(commit);
    const first = committer.submit(1);
    await turns();
    const later = [committer.submit(2), committer.submit(3)];
    await turns();
    assert.equal(calls.length, 1, 'a second commit started while one ran, with maxInFlight 1');
    calls[0]?.finish();
    assert.equal(await first, 'stored 1');
    await turns();
    assert.deepEqual(calls[1]?.items, [2, 3]);
    calls[1]?.finish();
    assert.deepEqual(await Promise.all(later), ['stored 2', 'stored 3']);
    await committer.idle();
  });

  it('when maxInFlight is 2, then a second batch starts while the first runs, a third waits, and idle waits for all', async () => {
    const { commit, calls } = heldCommits();
    const committer = new GroupCommitter(commit, { maxInFlight: 2 });
    const results: Array<Promise<string>> = [committer.submit(1)];
    await turns();
    results.push(committer.submit(2));
    await turns();
    results.push(committer.submit(3), committer.submit(4));
    await turns();
    assert.deepEqual(calls.map((c) => c.items), [[1], [2]]);
    let idle = false;
    const idled = committer.idle().then(() => (idle = true));
    calls[1]?.finish();
    await turns();
    assert.deepEqual(calls.map((c) => c.items), [[1], [2], [3, 4]], 'the freed slot takes everything queued');
    calls[0]?.finish();
    await turns();
    assert.equal(idle, false, 'idle before every batch finished');
    calls[2]?.finish();
    assert.deepEqual(await Promise.all(results), ['stored 1', 'stored 2', 'stored 3', 'stored 4']);
    await idled;
  });

  it('when a commit fails, then only its own items are rejected', async () => {
    const { commit, calls } = heldCommits();
    const committer = new GroupCommitter(commit, { maxInFlight: 2 });
    const first = committer.submit(1);
    await turns();
    const second = committer.submit(2);
    await turns();
    calls[0]?.finish(new Error('disk full'));
    calls[1]?.finish();
    await assert.rejects(first, /disk full/);
    assert.equal(await second, 'stored 2');
  });

  it('when the commit function throws before returning a promise, then the batch is rejected and the committer goes on', async () => {
    let fail = true;
    const committer = new GroupCommitter((items: number[]) => {
      if (fail) throw new Error('not open');
      return Promise.resolve(items.map(String));
    });
    await assert.rejects(committer.submit(1), /not open/);
    fail = false;
    assert.equal(await committer.submit(2), '2');
    await committer.idle();
  });

  it('when more items wait than maxBatch, then they are split into batches of at most maxBatch', async () => {
    const sizes: number[] = [];
    const committer = new GroupCommitter(async (items: number[]) => {
      sizes.push(items.length);
      return items;
    }, { maxBatch: 3 });
    const all = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((i) => committer.submit(i)));
    assert.deepEqual(all, [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(sizes, [3, 3, 1]);
  });
});
