import { GroupCommit } from './group-commit';

describe('GroupCommit', () => {
  it('lets concurrent calls share one write, in order, and a lone call go at once', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return items.map((item) => item * 10);
    }, 100);

    expect(await group.submit(1)).toBe(10);
    const results = await Promise.all([2, 3, 4, 5].map((item) => group.submit(item)));
    expect(results).toEqual([20, 30, 40, 50]);
    expect(batches).toEqual([[1], [2, 3, 4, 5]]);
  });

  it('queues what arrives during a write for the next one, and respects the batch size', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return items;
    }, 2);
    const first = group.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((item) => group.submit(item));
    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3], [4]]);
  });

  it('when a batch fails, retries its items one by one so only the bad one fails', async () => {
    const group = new GroupCommit<number, number>(async (items) => {
      if (items.includes(13)) throw new Error('unlucky');
      return items;
    }, 100);
    const results = await Promise.allSettled([1, 13, 2].map((item) => group.submit(item)));
    expect(results).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: new Error('unlucky') },
      { status: 'fulfilled', value: 2 },
    ]);
  });
});
