import type { PaymentEvent, ProviderEvent, StandardWebhookMessage } from 'nestjs-payment-webhooks';

/** The endpoint's name and URL segment: POST /webhooks/standard-webhooks. */
export const STANDARD_WEBHOOKS_ENDPOINT = 'standard-webhooks';

const PAYMENT_TYPES: Record<string, PaymentEvent['type']> = {
  'payment.completed': 'payment.completed',
  'payment.failed': 'payment.failed',
  'payment.expired': 'payment.expired',
  'payment.refunded': 'payment.refunded',
};

/**
 * The messages this demo accepts from a Standard Webhooks sender (the spec fixes the signature, not the
 * payload): `{ "type": "payment.completed", "data": { "reference", "amount", "currency", "id" } }`, the
 * amount in minor units. Another type, or one without a string reference, is stored but is no payment.
 */
export function normalizeStandardWebhook(message: StandardWebhookMessage, event: Omit<ProviderEvent<StandardWebhookMessage>, 'payment'>): PaymentEvent | undefined {
  const type = typeof message.type === 'string' ? PAYMENT_TYPES[message.type] : undefined;
  const data = message.data && typeof message.data === 'object' ? (message.data as Record<string, unknown>) : undefined;
  if (!type || !data || typeof data.reference !== 'string') return undefined;
  return {
    type,
    provider: event.provider,
    reference: data.reference,
    transactionId: typeof data.id === 'string' ? data.id : undefined,
    // Checked by the library before any handler sees it: a non-integer amount never becomes a payment.
    amountMinor: data.amount as number | undefined,
    currency: data.currency as string | undefined,
    metadata: {},
  };
}
