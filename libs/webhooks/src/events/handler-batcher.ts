/**
 * Gathers one handler's deliveries into batches of at most `maxSize`: a batch starts on the next turn
 * of the event loop after its first entry arrives (so deliveries started together go together). While
 * a batch runs, arrivals wait for it to end, unless they fill a whole batch, which starts at once: under
 * load batches grow to `maxSize` and run side by side, when idle each delivery goes alone at once.
 * `together` answers each entry, in order; if it fails, each entry of that batch runs `alone`, so one
 * bad entry fails only itself.
 */
export class HandlerBatcher<TEntry, TResult> {
  private readonly waiting: Array<{ entry: TEntry; resolve: (result: TResult) => void; reject: (error: unknown) => void }> = [];
  private running = 0;
  private scheduled = false;

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
    if (this.scheduled || this.waiting.length === 0) return;
    // A partial batch waits for the running one: it will hold more by then.
    if (this.running > 0 && this.waiting.length < this.maxSize) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.runNext();
    });
  }

  private async runNext(): Promise<void> {
    const batch = this.waiting.splice(0, this.maxSize);
    if (batch.length === 0) return;
    this.running++;
    this.schedule();
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
      this.running--;
      this.schedule();
    }
  }
}
