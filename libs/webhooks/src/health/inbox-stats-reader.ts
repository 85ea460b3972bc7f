import type { WebhookDeliveries, WebhookStats } from '../store/webhook-deliveries.service';

/**
 * `WebhookDeliveries.stats()` for health checks and scrapes: each wait bounded by `timeoutMs`, and one
 * query at a time, so checks against a hung database share one connection instead of taking one each.
 */
export class InboxStatsReader {
  private running?: Promise<WebhookStats>;

  constructor(
    private readonly deliveries: WebhookDeliveries,
    private readonly timeoutMs: number,
  ) {}

  read(): Promise<WebhookStats> {
    if (!this.running) {
      const running = this.deliveries.stats();
      const clear = () => {
        if (this.running === running) this.running = undefined;
      };
      running.then(clear, clear);
      this.running = running;
    }
    return withTimeout(this.running, this.timeoutMs);
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the inbox did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
