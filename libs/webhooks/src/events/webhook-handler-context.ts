import type { EntityManager } from 'typeorm';
import type { ProviderEvent } from './payment-event';

/** What a handler gets besides the event. */
export interface WebhookHandlerContext<TPayload = unknown> {
  /** The stored delivery's id (`WebhookDeliveries.get(id)`). */
  deliveryId: string;
  /** 1 on the first processing attempt. */
  attempt: number;
  /** The verified provider event, with its typed payload. */
  event: ProviderEvent<TPayload>;
  /**
   * Aborts when the handler should stop: its `handlerTimeoutMs` passed, this instance lost the
   * delivery's lease to another one, or shutdown's grace period ended. Pass it to `fetch` and other
   * cancellable work; after it fires, nothing the handler records is kept.
   */
  signal: AbortSignal;
  /**
   * Runs `work` in a database transaction that also records this handler as done: its writes and
   * that record commit together, so a crash or a lost lease can never apply them twice. Call it
   * once, as the handler's last step.
   */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
}
