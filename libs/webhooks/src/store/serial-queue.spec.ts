import { SerialQueue } from './serial-queue';

describe('SerialQueue', () => {
  it('runs one piece at a time, urgent work before queued normal work, and a failure stops nothing', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let running = 0;
    const piece = (name: string, fail = false) => async () => {
      running++;
      expect(running).toBe(1);
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push(`end ${name}`);
      running--;
      if (fail) throw new Error(`${name} failed`);
      return name;
    };
    const results = Promise.allSettled([
      queue.run(piece('a')),
      queue.run(piece('b', true)),
      queue.run(piece('c')),
      queue.run(piece('ack', false), { urgent: true }),
      queue.run(() => {
        throw new Error('thrown synchronously');
      }),
    ]);
    const settled = await results;
    expect(settled.map((result) => (result.status === 'fulfilled' ? result.value : (result.reason as Error).message))).toEqual([
      'a',
      'b failed',
      'c',
      'ack',
      'thrown synchronously',
    ]);
    expect(log).toEqual(['start a', 'end a', 'start ack', 'end ack', 'start b', 'end b', 'start c', 'end c']);
  });
});
