/** A clock the test moves by hand, so tolerance and backoff are exact. */
export class TestClock {
  private current: number;

  constructor(start = Date.now()) {
    this.current = start;
  }

  readonly now = (): Date => new Date(this.current);

  advance(ms: number): void {
    this.current += ms;
  }
}
