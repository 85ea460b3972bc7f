/** What a provider's status API said about one registration's payment, reduced to what reconciliation decides on. */
export type ProviderAnswer =
  /** Paid: the amount and currency are checked against the event's price like a webhook's. */
  | { kind: 'paid'; said: string; transactionId?: string; amountMinor?: number; currency?: string }
  | { kind: 'failed'; said: string }
  /** The provider has the payment and it is not settled yet. */
  | { kind: 'pending'; said: string }
  /** The provider does not know the reference: the payer never started paying. */
  | { kind: 'not-found'; said: string }
  /** No status API for this provider here (Stripe, PayQI, Standard Webhooks, or one not configured). */
  | { kind: 'no-status-api'; said: string }
  /** No usable answer: network, timeout, 5xx, a refused credential, a body it cannot read. */
  | { kind: 'unreachable'; said: string };
