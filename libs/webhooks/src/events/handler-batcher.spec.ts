import { HandlerBatcher } from './handler-batcher';

/** Records each call; `together` fails when a batch holds 'bad'. Calls end when `release()` is called. */
function recordingBatcher(maxSize: number, waitMs = 0) {
  const calls: string[][] = [];
  const gates: Array<() => void> = [];
  const gate = () => new Promise<void>((resolve) => gates.push(resolve));
  const batcher = new HandlerBatcher<string, string>(
    maxSize,
    waitMs,
    async (entries) => {
      calls.push(entries);
      await gate();
      if (entries.includes('bad')) throw new Error('bad batch');
      return entries.map((entry) => `${entry}:together`);
    },
    async (entry) => {
      calls.push([entry]);
      await gate();
      if (entry === 'bad') throw new Error(`${entry} failed`);
      return `${entry}:alone`;
    },
  );
  const release = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    gates.splice(0).forEach((open) => open());
  };
  /** Opens gates until every promise has settled. */
  const settle = async <T>(promises: Array<Promise<T>>): Promise<T[]> => {
    let done = false;
    const all = Promise.all(promises).finally(() => (done = true));
    while (!done) await release();
    return all;
  };
  return { batcher, calls, release, settle };
}

describe('HandlerBatcher', () => {
  it('an entry on its own runs alone, on the next turn of the event loop', async () => {
    const { batcher, calls, release } = recordingBatcher(10);
    const result = batcher.add('a');
    await release();
    expect(await result).toBe('a:alone');
    expect(calls).toEqual([['a']]);
  });

  it('entries added together go together; those added while a batch runs wait for the next, at most maxSize each', async () => {
    const { batcher, calls, release, settle } = recordingBatcher(3);
    const first = ['a', 'b'].map((entry) => batcher.add(entry));
    await new Promise((resolve) => setImmediate(resolve));
    const later = ['c', 'd', 'e', 'f'].map((entry) => batcher.add(entry));
    expect(calls).toEqual([['a', 'b']]);
    await release();
    expect(await Promise.all(first)).toEqual(['a:together', 'b:together']);
    expect(await settle(later)).toEqual(['c:together', 'd:together', 'e:together', 'f:alone']);
    expect(calls).toEqual([['a', 'b'], ['c', 'd', 'e'], ['f']]);
  });

  it('arrivals that fill a whole batch start at once, beside the running one', async () => {
    const { batcher, calls, settle } = recordingBatcher(2);
    const first = batcher.add('a');
    await new Promise((resolve) => setImmediate(resolve));
    const full = ['b', 'c'].map((entry) => batcher.add(entry));
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([['a'], ['b', 'c']]);
    expect(await settle([first, ...full])).toEqual(['a:alone', 'b:together', 'c:together']);
  });

  it('with waitMs, a partial batch waits for more from its oldest entry; filling up starts it at once', async () => {
    const { batcher, calls, settle } = recordingBatcher(3, 40);
    const first = batcher.add('a');
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = batcher.add('b');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(calls).toEqual([['a', 'b']]);
    const filled = ['c', 'd', 'e'].map((entry) => batcher.add(entry));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([['a', 'b'], ['c', 'd', 'e']]);
    expect(await settle([first, second, ...filled])).toEqual(['a:together', 'b:together', 'c:together', 'd:together', 'e:together']);
  });

  it('a batch that fails runs each entry alone: only the bad one rejects', async () => {
    const { batcher, calls, settle } = recordingBatcher(10);
    const results = ['a', 'bad', 'c'].map((entry) => batcher.add(entry).catch((error: Error) => error.message));
    expect(await settle(results)).toEqual(['a:alone', 'bad failed', 'c:alone']);
    expect(calls).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });
});
