import type { PaymentEventType } from './payment-event';

/** What one handler decorator subscribes to. */
export type HandlerSubscription = (
  | { kind: 'payment'; type: PaymentEventType; providers?: readonly string[] }
  | { kind: 'provider'; provider: string; type: string }
) & {
  name?: string;
  /** Set by `@OnPaymentBatch()`: the method takes many events at once, at most this many… */
  maxBatchSize?: number;
  /** …waiting at most this long (ms) for a batch to fill. */
  maxBatchWaitMs?: number;
};

export interface HandlerNameOption {
  /**
   * The handler's stable identity, under which its outcome per delivery is recorded: keep it across
   * renames and deploys ('mark-order-paid'). Default `ClassName.method`, with a warning at start-up:
   * renaming the method would make it a new handler that runs again on retries and replays.
   */
  name?: string;
}

export interface PaymentHandlerOptions extends HandlerNameOption {
  /** Only deliveries of these endpoint names ('stripe', 'stripe-eu'…). Default: every provider. */
  provider?: string | string[];
}

export interface PaymentBatchOptions extends PaymentHandlerOptions {
  /**
   * Most deliveries in one call (default 50). A batch holds what is ready when the previous batch of
   * this handler ends, so under load it grows towards this size and when idle it is one delivery.
   */
  maxBatchSize?: number;
  /**
   * How long (ms) a batch that is not full may wait for more deliveries, from its oldest one (default
   * 0: it takes what is ready). A few milliseconds make bigger batches at moderate rates: fewer
   * transactions, and more of the database left to acknowledgements; the provider already has its 2xx.
   */
  maxBatchWaitMs?: number;
}
