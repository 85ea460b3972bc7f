interface Waiting<TEntry, TResult> {
  entry: TEntry;
  /** When it arrived (ms). */
  at: number;
  resolve: (result: TResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers one handler's deliveries into batches of at most `maxSize`. A batch starts once it is full,
 * or `waitMs` after its oldest entry arrived (0: on the next turn of the event loop, so deliveries
 * started together go together). While a batch runs, a partial one waits for it to end; a full one
 * starts beside it. So under load batches grow to `maxSize` and run side by side, and when idle a
 * delivery waits at most `waitMs`. `together` answers each entry, in order; if it fails, each entry of
 * that batch runs `alone`, so one bad entry fails only itself.
 */
export class HandlerBatcher<TEntry, TResult> {
  private readonly waiting: Array<Waiting<TEntry, TResult>> = [];
  private running = 0;
  /** The next batch's start, when one is planned: a timer (partial batch) or the next turn (full). */
  private planned?: { timer?: NodeJS.Timeout };

  constructor(
    private readonly maxSize: number,
    private readonly waitMs: number,
    private readonly together: (entries: TEntry[]) => Promise<TResult[]>,
    private readonly alone: (entry: TEntry) => Promise<TResult>,
  ) {}

  add(entry: TEntry): Promise<TResult> {
    return new Promise<TResult>((resolve, reject) => {
      this.waiting.push({ entry, at: Date.now(), resolve, reject });
      this.plan();
    });
  }

  private plan(): void {
    if (this.waiting.length === 0) return;
    const full = this.waiting.length >= this.maxSize;
    if (this.planned) {
      // A partial batch waiting for its time that has just filled up goes now.
      if (!full || !this.planned.timer) return;
      clearTimeout(this.planned.timer);
    } else if (this.running > 0 && !full) {
      return;
    }
    const planned: { timer?: NodeJS.Timeout } = {};
    this.planned = planned;
    const start = () => {
      if (this.planned === planned) this.planned = undefined;
      void this.runNext();
    };
    const wait = full ? 0 : this.waiting[0].at + this.waitMs - Date.now();
    if (wait > 0) planned.timer = setTimeout(start, wait);
    else setImmediate(start);
  }

  private async runNext(): Promise<void> {
    const batch = this.waiting.splice(0, this.maxSize);
    if (batch.length === 0) return;
    this.running++;
    this.plan();
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
      this.plan();
    }
  }
}
