/**
 * Gathers one handler's deliveries into batches: a batch starts on the next turn of the event loop
 * after the first entry arrives (so deliveries started together go together) and takes at most
 * `maxSize`; `together` answers each entry, in order. What arrives while a batch runs waits for the next one. Batches of one handler run one
 * at a time, so under load they grow and when idle each delivery goes alone at once. If a batch of
 * several fails, each of its entries runs alone, so one bad entry fails only itself.
 */
export class HandlerBatcher<TEntry, TResult> {
  private readonly waiting: Array<{ entry: TEntry; resolve: (result: TResult) => void; reject: (error: unknown) => void }> = [];
  private busy = false;

  constructor(
    private readonly maxSize: number,
    private readonly together: (entries: TEntry[]) => Promise<TResult[]>,
    private readonly alone: (entry: TEntry) => Promise<TResult>,
  ) {}

  add(entry: TEntry): Promise<TResult> {
    return new Promise<TResult>((resolve, reject) => {
      this.waiting.push({ entry, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.busy) return;
    this.busy = true;
    setImmediate(() => void this.runNext());
  }

  private async runNext(): Promise<void> {
    const batch = this.waiting.splice(0, this.maxSize);
    try {
      if (batch.length === 1) {
        await this.alone(batch[0].entry).then(batch[0].resolve, batch[0].reject);
        return;
      }
      const result = await this.together(batch.map(({ entry }) => entry)).then(
        (value) => ({ value }),
        () => undefined,
      );
      if (result) {
        batch.forEach(({ resolve }, index) => resolve(result.value[index]));
        return;
      }
      await Promise.all(batch.map(({ entry, resolve, reject }) => this.alone(entry).then(resolve, reject)));
    } finally {
      this.busy = false;
      if (this.waiting.length > 0) this.schedule();
    }
  }
}
