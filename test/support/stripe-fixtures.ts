import { stripeEvent } from 'nestjs-payment-webhooks/testing';

/** A paid `checkout.session.completed` for `reference`, the event most tests deliver. */
export function checkoutCompleted(reference: string, session: Record<string, unknown> = {}) {
  return stripeEvent('checkout.session.completed', {
    id: `cs_${reference}`,
    object: 'checkout.session',
    amount_total: 2500,
    currency: 'eur',
    payment_status: 'paid',
    status: 'complete',
    client_reference_id: reference,
    metadata: {},
    ...session,
  });
}
