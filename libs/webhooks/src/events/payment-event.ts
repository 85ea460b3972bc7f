/** The normalized kinds of payment outcome every provider is mapped onto. */
export const PAYMENT_EVENT_TYPES = [
  'payment.completed',
  'payment.failed',
  'payment.pending',
  'payment.expired',
  'payment.cancelled',
  'payment.refunded',
] as const;

export type PaymentEventType = (typeof PAYMENT_EVENT_TYPES)[number];

/** One payment outcome, the same shape whichever provider reported it. */
export interface PaymentEvent {
  type: PaymentEventType;
  /** Endpoint name of the provider that reported it ('stripe', 'stripe-eu', 'paystack'…). */
  provider: string;
  /** The merchant's own reference (order, registration…) echoed by the provider. */
  reference: string;
  /** The provider's id for the transaction (payment intent, charge, transaction id…). */
  transactionId?: string;
  /** Integer amount in minor units (cents, kobo, XOF units, XRP drops). Never a float. */
  amountMinor?: number;
  /** ISO 4217 code ('XOF', 'MGA', 'NGN') or a crypto asset code ('XRP'), upper case. */
  currency?: string;
  metadata: Record<string, unknown>;
  customer?: { email?: string; phone?: string };
}

/** One verified delivery, parsed by its provider strategy. */
export interface ProviderEvent<TPayload = unknown> {
  /** Endpoint name of the provider. */
  provider: string;
  /** Dedupe key: the provider's event id, or a stable derivation of authenticated content (≤ 255 chars). */
  id: string;
  /** The provider's own event type, e.g. 'checkout.session.completed'. */
  type: string;
  /** Normalized view, when the event is about a payment. */
  payment?: PaymentEvent;
  /** The parsed body. */
  payload: TPayload;
  occurredAt?: Date;
}
