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
    // The first commit is in flight: its drain was queued first, and immediates run in order (a 5 ms
    // timer could fire before it on a loaded machine).
    await new Promise((resolve) => setImmediate(resolve));
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
    const holdMs = 20; // a rest of 10 ms: room for the two turns below on a loaded machine
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
    await new Promise((r) => setImmediate(r)); // the commit of 1 is under way, holding the loop
    const second = committer.submit(2);
    // Arrives two turns of the event loop after the first commit's rows were written: without a
    // rest the second commit would already have started; with it, it joins the second commit.
    const third = new Promise((resolve) => setImmediate(() => setImmediate(() => resolve(committer.submit(3)))));
    await Promise.all([first, second, third]);
    assert.deepEqual(batches, [[1], [2, 3]]);
  });

  it('when a commit reports its rows written, then the next is written while it waits for the disk, but a third only once the first is durable', async () => {
    const events: string[] = [];
    const durable: Array<() => void> = [];
    // Rows written at once (reported through `committed`), durable when the test says so.
    const commit = async (items: number[], committed: (results: number[]) => void) => {
      events.push(`write ${items.join(',')}`);
      committed(items);
      await new Promise<void>((resolve) => durable.push(resolve));
      events.push(`durable ${items.join(',')}`);
      return items;
    };
    const committer = new GroupCommitter(commit, { maxBatch: 1 });
    let answered = 0;
    const all = [1, 2, 3].map((n) => committer.submit(n).then((result) => {
      answered += 1;
      return result;
    }));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(events, ['write 1', 'write 2']);
    assert.equal(answered, 0, 'an item was answered before its commit was durable');
    durable.shift()?.();
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(events, ['write 1', 'write 2', 'durable 1', 'write 3']);
    assert.equal(answered, 1);
    durable.shift()?.();
    durable.shift()?.();
    assert.deepEqual(await Promise.all(all), [1, 2, 3]);
    await committer.idle();
  });

  it('when a commit becomes durable at once, then the next one is written only after it, gathering what arrived meanwhile', async () => {
    const events: string[] = [];
    const commit = async (items: number[], committed: (results: number[]) => void) => {
      events.push(`write ${items.join(',')}`);
      committed(items);
      for (let turn = 0; turn < 3; turn += 1) await new Promise((r) => setImmediate(r)); // a quick fsync: three turns
      events.push(`durable ${items.join(',')}`);
      return items;
    };
    // Quick whatever the machine's load: three turns of a busy CI machine can outlast the default 3 ms.
    const committer = new GroupCommitter(commit, { maxBatch: 1, slowSyncMs: 10_000 });
    await Promise.all([1, 2].map((n) => committer.submit(n)));
    assert.deepEqual(events, ['write 1', 'durable 1', 'write 2', 'durable 2']);
  });
});
