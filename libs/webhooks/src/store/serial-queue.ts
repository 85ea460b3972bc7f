/**
 * Runs async work one piece at a time. SQLite through TypeORM is one shared connection: two
 * transactions interleaved on it would nest, and a plain statement would join someone else's.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
