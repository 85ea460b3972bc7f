/**
 * At most `size` handler calls at once (`handlerConcurrency`): each may hold a database connection
 * for its transaction, so the rest of the pool stays free for acknowledgements. Waiters go in turn.
 */
export class HandlerSlots {
  private free: number;
  private readonly waiters: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  /** Resolves with `release` once a slot is free; call it exactly once. */
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // The slot passes straight to the next waiter, so a newcomer cannot overtake it.
      if (next) next();
      else this.free++;
    };
  }
}
