import { GroupCommit, type GroupCommitOptions } from './group-commit';
import { StoreUnavailableError } from './store-unavailable.error';

const OPTIONS: GroupCommitOptions = { maxBatch: 100, maxQueue: 1000, timeoutMs: 1000 };
const tick = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GroupCommit', () => {
  it('lets concurrent calls share one write, in order, and a lone call go at once', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      await sleep(5);
      return items.map((item) => item * 10);
    }, OPTIONS);

    expect(await group.submit(1)).toBe(10);
    const results = await Promise.all([2, 3, 4, 5].map((item) => group.submit(item)));
    expect(results).toEqual([20, 30, 40, 50]);
    expect(batches).toEqual([[1], [2, 3, 4, 5]]);
  });

  it('queues what arrives during a write for the next one, and respects the batch size', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      await sleep(5);
      return items;
    }, { ...OPTIONS, maxBatch: 2 });
    const first = group.submit(1);
    await tick();
    const later = [2, 3, 4].map((item) => group.submit(item));
    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3], [4]]);
  });

  it('when one item fails a batch, splits it until only that item fails', async () => {
    const writes: number[][] = [];
    const group = new GroupCommit<number, number>(async (items) => {
      writes.push(items);
      if (items.includes(13)) throw new Error('unlucky');
      return items;
    }, OPTIONS);
    const items = [1, 2, 3, 4, 5, 6, 7, 13];
    const results = await Promise.allSettled(items.map((item) => group.submit(item)));
    expect(results.map((result) => result.status)).toEqual([...Array(7).fill('fulfilled'), 'rejected']);
    expect(results[7]).toEqual({ status: 'rejected', reason: new Error('unlucky') });
    // Halving: 8 → 4+4 → 2+2 → 1+1, not one write per item.
    expect(writes.length).toBe(7);
  });

  it('fails a whole batch in one write when the database is unreachable', async () => {
    let writes = 0;
    const group = new GroupCommit<number, number>(async () => {
      writes++;
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    }, OPTIONS);
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((item) => group.submit(item)));
    expect(results.every((result) => result.status === 'rejected')).toBe(true);
    expect(writes).toBe(1);
  });

  it('refuses at once when the queue is full', async () => {
    let release!: () => void;
    const group = new GroupCommit<number, number>(async (items) => {
      await new Promise<void>((resolve) => (release = resolve));
      return items;
    }, { ...OPTIONS, maxBatch: 1, maxQueue: 2 });
    const first = group.submit(1);
    await tick(); // 1 is being written
    const queued = [group.submit(2), group.submit(3)];
    await expect(group.submit(4)).rejects.toBeInstanceOf(StoreUnavailableError);
    release();
    await tick();
    release();
    await tick();
    release();
    await expect(Promise.all([first, ...queued])).resolves.toEqual([1, 2, 3]);
  });

  it('fails a write that hangs, refuses at once until it settles, then works again', async () => {
    let hang = true;
    let unfreeze!: () => void;
    const writes: number[][] = [];
    const group = new GroupCommit<number, number>(async (items) => {
      writes.push(items);
      if (hang) await new Promise<void>((resolve) => (unfreeze = resolve));
      return items;
    }, { ...OPTIONS, timeoutMs: 50 });

    const hungItem = group.submit(1);
    await tick();
    const queuedBehind = group.submit(2);
    await expect(hungItem).rejects.toThrow('did not answer within 50 ms');
    await expect(queuedBehind).rejects.toBeInstanceOf(StoreUnavailableError);
    const started = Date.now();
    await expect(group.submit(3)).rejects.toThrow('has not answered');
    expect(Date.now() - started).toBeLessThan(20);
    expect(writes).toEqual([[1]]); // nothing else piled onto the hung database

    hang = false;
    unfreeze();
    await sleep(5);
    await expect(group.submit(4)).resolves.toBe(4);
  });
});
