import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommitter } from './group-committer.js';

/** A commit that records each batch it is given and answers each item doubled, after `delayMs`. */
function recordingCommit(delayMs = 0) {
  const batches: number[][] = [];
  const commit = async (items: number[]) => {
    batches.push([...items]);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return items.map((n) => n * 2);
  };
  return { batches, commit };
}

describe('GroupCommitter', () => {
  it('when items are submitted in one turn of the event loop, then one commit holds them all and each gets its own result', async () => {
    const { batches, commit } = recordingCommit();
    const committer = new GroupCommitter(commit);
    const results = await Promise.all([1, 2, 3].map((n) => committer.submit(n)));
    assert.deepEqual(results, [2, 4, 6]);
    assert.deepEqual(batches, [[1, 2, 3]]);
  });

  it('when items arrive while a commit is in flight, then they wait for it and go together into the next one', async () => {
    const { batches, commit } = recordingCommit(20);
    const committer = new GroupCommitter(commit);
    const first = committer.submit(1);
    while (batches.length === 0) await new Promise((resolve) => setImmediate(resolve)); // the first commit is in flight
    const later = [2, 3, 4].map((n) => committer.submit(n));
    let laterSettled = false;
    void Promise.all(later).then(() => {
      laterSettled = true;
    });
    assert.equal(await first, 2);
    assert.equal(laterSettled, false, 'answered only after their own commit');
    assert.deepEqual(await Promise.all(later), [4, 6, 8]);
    assert.deepEqual(batches, [[1], [2, 3, 4]]);
  });

  it('when more items wait than maxBatch, then each commit takes at most maxBatch of them, in order', async () => {
    const { batches, commit } = recordingCommit();
    const committer = new GroupCommitter(commit, { maxBatch: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((n) => committer.submit(n)));
    assert.deepEqual(batches, [[1, 2], [3, 4], [5]]);
  });

  it('when a commit fails, then only the items of that commit are rejected and the next commit still runs', async () => {
    let calls = 0;
    const committer = new GroupCommitter(async (items: number[]) => {
      calls += 1;
      if (calls === 1) throw new Error('disk full');
      return items;
    }, { maxBatch: 1 });
    const outcomes = await Promise.allSettled([committer.submit(1), committer.submit(2)]);
    assert.equal(outcomes[0]?.status, 'rejected');
    assert.deepEqual(outcomes[1], { status: 'fulfilled', value: 2 });
  });

  it('when commits finish, then onBatch reports each batch size and idle() resolves with nothing pending', async () => {
    const sizes: number[] = [];
    const { commit } = recordingCommit(5);
    const committer = new GroupCommitter(commit, { maxBatch: 3, onBatch: (size) => sizes.push(size) });
    for (const n of [1, 2, 3, 4]) void committer.submit(n);
    assert.equal(committer.pending, 4);
    await committer.idle();
    assert.equal(committer.pending, 0);
    assert.deepEqual(sizes, [3, 1]);
  });

  it('when a gathering time is set, then items submitted in different turns within it go into one commit', async () => {
    const { batches, commit } = recordingCommit();
    const committer = new GroupCommitter(commit, { gatherMs: 40 });
    const first = committer.submit(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = committer.submit(2);
    await new Promise((resolve) => setImmediate(resolve));
    const third = committer.submit(3);
    assert.deepEqual(await Promise.all([first, second, third]), [2, 4, 6]);
    assert.deepEqual(batches, [[1, 2, 3]]);
    // Without it, the same submissions are three commits.
    const plain = recordingCommit();
    const eager = new GroupCommitter(plain.commit);
    const a = eager.submit(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const b = eager.submit(2);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const c = eager.submit(3);
    await Promise.all([a, b, c]);
    assert.equal(plain.batches.length, 3);
  });

  it('when a commit held the event loop and more items wait, then the next commit comes after a rest of half as long, gathering what arrives meanwhile', async () => {
    const batches: number[][] = [];
    const holdMs = 20;
    // A synchronous write of holdMs (as SQLite's is), reported through `committed`, then an async part.
    const commit = async (items: number[], committed: (results: number[]) => void) => {
      batches.push([...items]);
      const until = Date.now() + holdMs;
      while (Date.now() < until) {
        // holding the event loop, as a synchronous SQLite write does
      }
      committed(items);
      await new Promise((r) => setImmediate(r));
      return items;
    };
    const committer = new GroupCommitter(commit);
    const first = committer.submit(1);
    await new Promise((r) => setImmediate(r)); // the commit of 1 has held the loop
    const second = committer.submit(2);
    // Arrives a turn of the event loop later: without a rest the commit of 2 would already
    // have been written; with one (10 ms here), 3 joins it.
    await new Promise((r) => setImmediate(r));
    const third = committer.submit(3);
    await Promise.all([first, second, third]);
    assert.deepEqual(batches, [[1], [2, 3]]);
  });

  it('when a commit reports its rows written, then the next batch is written while it is made durable, and each item is answered only once its own commit is durable', async () => {
    const batches: number[][] = [];
    const gates: Array<() => void> = [];
    // Written at once (reported through `committed`), durable when the test opens its gate, as an fsync.
    const commit = async (items: number[], committed: (results: number[]) => void) => {
      batches.push([...items]);
      committed(items);
      await new Promise<void>((resolve) => gates.push(resolve));
      return items.map((n) => n * 2);
    };
    const committer = new GroupCommitter(commit);
    const first = committer.submit(1);
    await new Promise((r) => setImmediate(r)); // the first batch is written; its durability is awaited
    const second = committer.submit(2);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(batches, [[1], [2]], 'the second batch waited for the first one to be durable');
    let idle = false;
    void committer.idle().then(() => {
      idle = true;
    });
    gates[1]?.();
    assert.equal(await second, 4);
    assert.equal(await settled(first), false, 'answered before its own commit was durable');
    assert.equal(idle, false, 'idle while a commit was not yet durable');
    gates[0]?.();
    assert.equal(await first, 2);
    await new Promise((r) => setImmediate(r));
    assert.equal(idle, true);
  });
});

/** Whether a promise has settled, after the microtasks queued so far have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => (done = true), () => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}
