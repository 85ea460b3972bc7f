/**
 * Runs async work one piece at a time. SQLite through TypeORM is one shared connection: two
 * transactions interleaved on it would nest, and a plain statement would join someone else's.
 * Urgent work (an acknowledgement's INSERT, which a sender is waiting for) goes before queued normal
 * work (handlers' transactions), so a busy worker does not slow the answers down.
 */
export class SerialQueue {
  private running = false;
  private readonly urgent: Array<() => void> = [];
  private readonly normal: Array<() => void> = [];

  run<T>(work: () => Promise<T>, options: { urgent?: boolean } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        new Promise<T>((settle) => settle(work())).then(resolve, reject).finally(() => this.next());
      };
      (options.urgent ? this.urgent : this.normal).push(start);
      if (!this.running) this.next();
    });
  }

  private next(): void {
    const start = this.urgent.shift() ?? this.normal.shift();
    this.running = start !== undefined;
    start?.();
  }
}
