/** A registration as the demo answers it: what a provider's event refers to. */
export type Registered = { id: string; reference: string };

/** A paid Checkout Session for a registration priced 25.00 EUR, as Stripe sends it; the reference is in client_reference_id. */
export const checkoutSession = (registered: Registered, overrides: Record<string, unknown> = {}) => ({
  id: `cs_test_${registered.id.slice(0, 8)}`,
  object: 'checkout.session',
  amount_total: 2500,
  currency: 'eur',
  payment_status: 'paid',
  status: 'complete',
  client_reference_id: registered.reference,
  metadata: {},
  payment_intent: `pi_test_${registered.id.slice(0, 8)}`,
  ...overrides,
});
