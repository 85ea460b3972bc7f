import type { EntityManager } from 'typeorm';
import type { ProviderEvent } from './payment-event';

/** One delivery of a batch: `ctx.items[i]` is the delivery of the handler's `payments[i]`. */
export interface WebhookBatchItem<TPayload = unknown> {
  /** The stored delivery's id (`WebhookDeliveries.get(id)`). */
  deliveryId: string;
  /** 1 on the delivery's first processing attempt. */
  attempt: number;
  /** The verified provider event, with its typed payload. */
  event: ProviderEvent<TPayload>;
}

/** What an `@OnPaymentBatch()` handler gets besides the payments. */
export interface WebhookBatchContext<TPayload = unknown> {
  items: readonly WebhookBatchItem<TPayload>[];
  /**
   * Aborts when the batch should stop: `handlerTimeoutMs` passed, or one of its deliveries must stop
   * (its lease passed to another instance, shutdown's grace ended). The batch is then run again one
   * delivery at a time.
   */
  signal: AbortSignal;
  /**
   * Runs `work` in one database transaction that also records the handler as done for every delivery
   * of the batch. If the batch fails, its transaction rolls back and `work` runs again for each
   * delivery alone: keep it to database writes. Call it once, as the handler's last step.
   */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
}
