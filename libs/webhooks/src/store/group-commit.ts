import { isStoreUnavailable, StoreUnavailableError } from './store-unavailable.error';

export interface GroupCommitOptions {
  /** Most items in one write. */
  maxBatch: number;
  /** Most items waiting for a write; past it, `submit` fails at once instead of growing the queue. */
  maxQueue: number;
  /** Longest one write may take; past it its items fail, and new ones fail at once until it settles. */
  timeoutMs: number;
}

interface Entry<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: concurrent calls share one database round trip (one statement, one commit). A batch
 * starts as soon as the previous one finished, so a lone call waits for nothing; under load, calls
 * that arrive meanwhile ride together.
 *
 * Bounded both ways: the queue has a size, and a write that outlives `timeoutMs` fails its items
 * while the next writes wait for it to settle (a hung database holds one write, not one per request);
 * meanwhile every call fails at once. A batch refused for one bad item is split in halves until the
 * item is alone; a batch refused because the database is unreachable fails whole, in one round trip.
 */
export class GroupCommit<I, O> {
  private queue: Array<Entry<I, O>> = [];
  private flushing = false;
  /** A write that timed out and has not settled yet: the database is not answering. */
  private hung?: Promise<unknown>;

  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: I): Promise<O> {
    if (this.hung) return Promise.reject(new StoreUnavailableError(`the database has not answered for over ${this.options.timeoutMs} ms`));
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.reject(new StoreUnavailableError(`${this.queue.length} deliveries are already waiting for the database`));
    }
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Let the requests already parsed in this turn of the event loop join the first batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      await this.commit(this.queue.splice(0, this.options.maxBatch));
      if (this.hung) {
        this.failQueued();
        await this.hung;
      }
    }
    this.flushing = false;
  }

  private async commit(batch: Array<Entry<I, O>>): Promise<void> {
    try {
      const results = await this.bounded(batch.map((entry) => entry.item));
      batch.forEach((entry, index) => entry.resolve(results[index]));
    } catch (error) {
      if (batch.length === 1 || isStoreUnavailable(error)) {
        for (const entry of batch) entry.reject(error);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await this.commit(batch.slice(0, half));
      await this.commit(batch.slice(half));
    }
  }

  private bounded(items: I[]): Promise<O[]> {
    const write = this.write(items);
    return new Promise<O[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.hung = write.then(
          () => undefined,
          () => undefined,
        ).finally(() => (this.hung = undefined));
        reject(new StoreUnavailableError(`the database did not answer within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      write.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  private failQueued(): void {
    const error = new StoreUnavailableError(`the database has not answered for over ${this.options.timeoutMs} ms`);
    for (const entry of this.queue.splice(0)) entry.reject(error);
  }
}
