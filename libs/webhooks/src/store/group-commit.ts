/**
 * Group commit: concurrent calls share one database round trip (one statement, one commit). A batch
 * starts as soon as the previous one finished, so a lone call waits for nothing; under load, calls
 * that arrive meanwhile ride together. If a batch fails, its items are retried one by one, so one bad
 * item cannot fail the others.
 */
export class GroupCommit<I, O> {
  private queue: Array<{ item: I; resolve: (value: O) => void; reject: (error: unknown) => void }> = [];
  private flushing = false;

  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly maxBatch: number,
  ) {}

  submit(item: I): Promise<O> {
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
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map((entry) => entry.item));
        batch.forEach((entry, index) => entry.resolve(results[index]));
      } catch (error) {
        if (batch.length === 1) batch[0].reject(error);
        else for (const entry of batch) await this.write([entry.item]).then(([result]) => entry.resolve(result), entry.reject);
      }
    }
    this.flushing = false;
  }
}
