import { signStripe, stripeEvent } from '../../testing/sign-stripe';
import { rawRequest, refusalReason, unsigned, type SpecDelivery } from '../provider-helpers.for-spec';
import { stripe } from './stripe.provider';

const NOW = new Date('2026-11-25T12:00:00Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);

const request = (signed: SpecDelivery, receivedAt = NOW) => rawRequest(signed, { path: '/webhooks/stripe', receivedAt });

const session = (overrides: Record<string, unknown> = {}) => ({
  id: 'cs_test_1',
  object: 'checkout.session',
  amount_total: 2500,
  currency: 'eur',
  payment_status: 'paid',
  status: 'complete',
  client_reference_id: 'REG-1',
  metadata: { registrationId: 'r1' },
  customer_details: { email: 'ada@example.com', phone: null },
  payment_intent: 'pi_1',
  ...overrides,
});

describe('stripe provider', () => {
  const provider = stripe({ secrets: ['whsec_test_old', 'whsec_test_new'] });

  describe('verify', () => {
    it('accepts a signature made with any configured secret and says which one matched', () => {
      const event = stripeEvent('checkout.session.completed', session(), { created: nowSeconds });
      expect(provider.verify(request(signStripe({ payload: event, secret: 'whsec_test_old', timestamp: nowSeconds })))).toEqual({ secretIndex: 0 });
      expect(provider.verify(request(signStripe({ payload: event, secret: 'whsec_test_new', timestamp: nowSeconds })))).toEqual({ secretIndex: 1 });
    });

    it('accepts a header carrying one v1 signature per secret (Stripe rotating)', () => {
      const single = stripe({ secrets: ['whsec_test_new'] });
      const signed = signStripe({ payload: stripeEvent('x', {}), secret: ['whsec_test_other', 'whsec_test_new'], timestamp: nowSeconds });
      expect(single.verify(request(signed))).toEqual({ secretIndex: 0 });
    });

    it('refuses a wrong secret, a tampered body, a missing or malformed header', () => {
      const signed = signStripe({ payload: stripeEvent('x', {}), secret: 'whsec_test_wrong', timestamp: nowSeconds });
      expect(refusalReason(() => provider.verify(request(signed)))).toBe('invalid-signature');
      const good = signStripe({ payload: stripeEvent('x', {}), secret: 'whsec_test_new', timestamp: nowSeconds });
      expect(refusalReason(() => provider.verify(request({ ...good, body: good.body.replace('"x"', '"y"') })))).toBe('invalid-signature');
      expect(refusalReason(() => provider.verify(request({ ...good, headers: {} })))).toBe('missing-header');
      expect(refusalReason(() => provider.verify(request({ ...good, headers: { 'stripe-signature': 'nonsense' } })))).toBe('malformed-header');
    });

    it('refuses a timestamp older than the tolerance, and accepts one just inside it', () => {
      const tolerant = stripe({ secrets: ['whsec_test_new'], tolerance: 300 });
      const old = signStripe({ payload: stripeEvent('x', {}), secret: 'whsec_test_new', timestamp: nowSeconds - 301 });
      expect(refusalReason(() => tolerant.verify(request(old)))).toBe('timestamp-out-of-tolerance');
      const recent = signStripe({ payload: stripeEvent('x', {}), secret: 'whsec_test_new', timestamp: nowSeconds - 299 });
      expect(tolerant.verify(request(recent))).toEqual({ secretIndex: 0 });
    });

    it('stops accepting a secret after its notAfter', () => {
      const rotating = stripe({ secrets: [{ secret: 'whsec_test_old', notAfter: '2026-11-25T11:00:00Z' }, 'whsec_test_new'] });
      const signed = signStripe({ payload: stripeEvent('x', {}), secret: 'whsec_test_old', timestamp: nowSeconds });
      expect(refusalReason(() => rotating.verify(request(signed)))).toBe('invalid-signature');
      expect(rotating.verify(request(signed, new Date('2026-11-25T10:59:00Z')))).toEqual({ secretIndex: 0 });
    });
  });

  describe('validate', () => {
    it('names the secret that is empty or padded, never its value', () => {
      expect(stripe({ secrets: ['whsec_test_a', '', ' whsec_test_b'] }).validate!()).toEqual([
        'secrets[1]: the secret is empty',
        expect.stringMatching(/^secrets\[2\]: the secret has surrounding whitespace/),
      ]);
      expect(stripe({ secrets: [] }).validate!()).toEqual(['secrets: at least one secret is required']);
    });
  });

  describe('parse and normalize', () => {
    const parse = (type: string, object: object) => provider.parse(request(unsigned(stripeEvent(type, object, { id: 'evt_1', created: nowSeconds }))));

    it.each([
      ['checkout.session.completed', 'payment.completed', session()],
      ['checkout.session.completed', 'payment.completed', session({ payment_status: 'no_payment_required', amount_total: 0 })],
      ['checkout.session.completed', 'payment.pending', session({ payment_status: 'unpaid' })],
      ['checkout.session.async_payment_succeeded', 'payment.completed', session()],
      ['checkout.session.async_payment_failed', 'payment.failed', session({ payment_status: 'unpaid' })],
      ['checkout.session.expired', 'payment.expired', session({ status: 'expired', payment_status: 'unpaid' })],
    ])('%s → %s (case %#)', (type, expected, object) => {
      const event = parse(type, object);
      expect(event).toMatchObject({ provider: 'stripe', id: 'evt_1', type, occurredAt: NOW });
      expect(event.payment).toEqual({
        type: expected,
        provider: 'stripe',
        reference: 'REG-1',
        transactionId: 'pi_1',
        amountMinor: (object as { amount_total: number }).amount_total,
        currency: 'EUR',
        metadata: { registrationId: 'r1', checkoutSessionId: 'cs_test_1' },
        customer: { email: 'ada@example.com' },
      });
    });

    const intent = { id: 'pi_9', object: 'payment_intent', amount: 1999, amount_received: 1999, currency: 'usd', metadata: { orderId: 'ORD-9' }, receipt_email: null };
    it.each([
      ['payment_intent.succeeded', 'payment.completed'],
      ['payment_intent.payment_failed', 'payment.failed'],
      ['payment_intent.processing', 'payment.pending'],
      ['payment_intent.canceled', 'payment.cancelled'],
    ])('%s → %s', (type, expected) => {
      expect(parse(type, intent).payment).toEqual({
        type: expected,
        provider: 'stripe',
        reference: 'ORD-9',
        transactionId: 'pi_9',
        amountMinor: 1999,
        currency: 'USD',
        metadata: { orderId: 'ORD-9' },
        customer: undefined,
      });
    });

    it('charge.refunded → payment.refunded, partial when less than the charge was refunded', () => {
      const charge = { id: 'ch_1', object: 'charge', amount: 5000, amount_refunded: 2000, currency: 'ngn', payment_intent: 'pi_2', metadata: { reference: 'REF-2' }, billing_details: { email: 'b@example.com', phone: null } };
      expect(parse('charge.refunded', charge).payment).toEqual({
        type: 'payment.refunded',
        provider: 'stripe',
        reference: 'REF-2',
        transactionId: 'pi_2',
        amountMinor: 2000,
        currency: 'NGN',
        metadata: { reference: 'REF-2', chargeId: 'ch_1', partialRefund: true },
        customer: { email: 'b@example.com' },
      });
      expect(parse('charge.refunded', { ...charge, amount_refunded: 5000 }).payment?.metadata.partialRefund).toBe(false);
    });

    it('keeps other events without a payment view, and events without a reference too', () => {
      expect(parse('customer.created', { id: 'cus_1' })).toMatchObject({ type: 'customer.created', payment: undefined });
      expect(parse('checkout.session.completed', session({ client_reference_id: null, metadata: {} })).payment).toBeUndefined();
    });

    it('refuses a body that is not a Stripe event', () => {
      const bad = (body: string) => () => provider.parse(request(unsigned(body)));
      expect(bad('{not json')).toThrow('not valid JSON');
      expect(bad('[{"id":"evt_1"}]')).toThrow('A Stripe event must be a JSON object.');
      expect(bad('{"id":"evt_1"}')).toThrow('"id" and "type"');
      expect(bad('{"id":"evt_1","type":"x","created":1}')).toThrow('data.object');
    });
  });
});
