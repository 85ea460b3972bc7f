import type { PaymentEventType } from './payment-event';

/** What one handler decorator subscribes to. */
export type HandlerSubscription =
  | { kind: 'payment'; type: PaymentEventType; providers?: readonly string[] }
  | { kind: 'provider'; provider: string; type: string };

export interface PaymentHandlerOptions {
  /** Only deliveries of these endpoint names ('stripe', 'stripe-eu'…). Default: every provider. */
  provider?: string | string[];
}
