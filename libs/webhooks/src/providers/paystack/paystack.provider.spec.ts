import { createHash } from 'node:crypto';
import { WebhookPayloadError } from '../../errors/webhook-payload.error';
import { paystackEvent, signPaystack } from '../../testing/sign-paystack';
import { rawRequest, refusalReason, unsigned, type SpecDelivery } from '../provider-helpers.for-spec';
import { PAYSTACK_IPS, paystack } from './paystack.provider';

const NOW = new Date('2026-11-25T12:00:00Z');
const OLD_KEY = 'sk_test_old_0123456789abcdef';
const NEW_KEY = 'sk_test_new_0123456789abcdef';

const request = (signed: SpecDelivery, receivedAt = NOW) => rawRequest(signed, { path: '/webhooks/paystack', ip: '52.31.139.75', receivedAt });

const charge = (overrides: Record<string, unknown> = {}) => ({
  id: 302961,
  domain: 'live',
  status: 'success',
  reference: 'ORDER-42',
  amount: 1500000,
  currency: 'NGN',
  paid_at: '2026-11-25T11:59:30.000Z',
  created_at: '2026-11-25T11:58:00.000Z',
  metadata: { cart_id: 398 },
  customer: { id: 68324, email: 'ada@example.com', phone: null },
  ...overrides,
});

describe('paystack provider', () => {
  const provider = paystack({ secretKey: NEW_KEY });

  describe('verify', () => {
    it('accepts the HMAC-SHA512 of the raw body made with the secret key', () => {
      expect(provider.verify(request(signPaystack({ payload: paystackEvent('charge.success', charge()), secretKey: NEW_KEY })))).toEqual({ secretIndex: 0 });
    });

    it('accepts an upper-case hex signature', () => {
      const signed = signPaystack({ payload: paystackEvent('charge.success', charge()), secretKey: NEW_KEY });
      const headers = { ...signed.headers, 'x-paystack-signature': signed.headers['x-paystack-signature'].toUpperCase() };
      expect(provider.verify(request({ ...signed, headers }))).toEqual({ secretIndex: 0 });
    });

    it('refuses a wrong key, a tampered body, a missing or malformed header', () => {
      const wrong = signPaystack({ payload: paystackEvent('charge.success', charge()), secretKey: 'sk_test_wrong' });
      expect(refusalReason(() => provider.verify(request(wrong)))).toBe('invalid-signature');
      const good = signPaystack({ payload: paystackEvent('charge.success', charge()), secretKey: NEW_KEY });
      expect(refusalReason(() => provider.verify(request({ ...good, body: good.body.replace('1500000', '1500001') })))).toBe('invalid-signature');
      expect(refusalReason(() => provider.verify(request({ ...good, headers: { 'content-type': 'application/json' } })))).toBe('missing-header');
      expect(refusalReason(() => provider.verify(request({ ...good, headers: { 'x-paystack-signature': 'abc123' } })))).toBe('malformed-header');
    });

    it('never puts the expected signature or the key in its message', () => {
      const wrong = signPaystack({ payload: '{"event":"x","data":{}}', secretKey: 'sk_test_wrong' });
      const expected = signPaystack({ payload: wrong.body, secretKey: NEW_KEY }).headers['x-paystack-signature'];
      const error = (() => {
        try {
          provider.verify(request(wrong));
        } catch (caught) {
          return caught as Error;
        }
        throw new Error('accepted a wrong signature');
      })();
      expect(error.message).not.toContain(NEW_KEY);
      expect(error.message).not.toContain(expected);
      expect(error.message).not.toContain(wrong.headers['x-paystack-signature']);
    });

    it('accepts the old and the new key while rotating, and says which one matched', () => {
      const rotating = paystack({ secretKeys: [OLD_KEY, NEW_KEY] });
      const payload = paystackEvent('charge.success', charge());
      expect(rotating.verify(request(signPaystack({ payload, secretKey: OLD_KEY })))).toEqual({ secretIndex: 0 });
      expect(rotating.verify(request(signPaystack({ payload, secretKey: NEW_KEY })))).toEqual({ secretIndex: 1 });
    });

    it('stops accepting a key after its notAfter', () => {
      const rotating = paystack({ secretKeys: [{ secret: OLD_KEY, notAfter: '2026-11-25T11:00:00Z' }, NEW_KEY] });
      const signed = signPaystack({ payload: paystackEvent('charge.success', charge()), secretKey: OLD_KEY });
      expect(refusalReason(() => rotating.verify(request(signed)))).toBe('invalid-signature');
      expect(rotating.verify(request(signed, new Date('2026-11-25T10:59:00Z')))).toEqual({ secretIndex: 0 });
    });
  });

  describe('options', () => {
    it('uses paystack as default name, serves extra paths and exports the documented IPs', () => {
      const custom = paystack({ secretKey: NEW_KEY, name: 'paystack-ng', path: '/api/paystack/webhook', allowIps: PAYSTACK_IPS });
      expect(provider.name).toBe('paystack');
      expect(custom).toMatchObject({ name: 'paystack-ng', paths: ['/api/paystack/webhook'], allowIps: ['52.31.139.75', '52.49.173.169', '52.214.14.220'] });
      expect(Object.isFrozen(PAYSTACK_IPS)).toBe(true);
    });

    it('validate() asks for exactly one of secretKey and secretKeys, and names bad keys without their value', () => {
      expect(provider.validate!()).toEqual([]);
      expect(paystack({}).validate!()).toEqual(['secretKey: required (or secretKeys while rotating keys)']);
      expect(paystack({ secretKey: NEW_KEY, secretKeys: [OLD_KEY] }).validate!()).toEqual(['secretKey: give either secretKey or secretKeys, not both']);
      expect(paystack({ secretKey: '' }).validate!()).toEqual(['secretKey: the secret is empty']);
      expect(paystack({ secretKeys: [] }).validate!()).toEqual(['secretKeys: at least one secret is required']);
      const problems = paystack({ secretKeys: [NEW_KEY, ` ${OLD_KEY}`, 'pk_test_public123'] }).validate!();
      expect(problems).toEqual([
        expect.stringMatching(/^secretKeys\[1\]: the secret has surrounding whitespace/),
        'secretKeys[2]: this is a public key (pk_…); use the secret key (sk_test_… or sk_live_…)',
      ]);
      expect(problems.join('\n')).not.toContain(OLD_KEY);
      expect(problems.join('\n')).not.toContain('pk_test_public123');
    });
  });

  describe('parse and normalize', () => {
    const parse = (body: unknown) => provider.parse(request(unsigned(body)));

    it('charge.success → payment.completed with every field', () => {
      const event = parse(paystackEvent('charge.success', charge()));
      expect(event).toEqual({
        provider: 'paystack',
        id: 'charge.success:302961:success',
        type: 'charge.success',
        payload: paystackEvent('charge.success', charge()),
        occurredAt: new Date('2026-11-25T11:59:30.000Z'),
        payment: {
          type: 'payment.completed',
          provider: 'paystack',
          reference: 'ORDER-42',
          transactionId: '302961',
          amountMinor: 1500000,
          currency: 'NGN',
          metadata: { cart_id: 398 },
          customer: { email: 'ada@example.com' },
        },
      });
    });

    it.each([0, '', null, undefined])('metadata %p → {}', (metadata) => {
      expect(parse(paystackEvent('charge.success', charge({ metadata }))).payment?.metadata).toEqual({});
    });

    it('reads metadata sent as a JSON string', () => {
      expect(parse(paystackEvent('charge.success', charge({ metadata: '{"order":"A1"}' }))).payment?.metadata).toEqual({ order: 'A1' });
      expect(parse(paystackEvent('charge.success', charge({ metadata: 'free text' }))).payment?.metadata).toEqual({});
    });

    it('refund.processed → payment.refunded on the transaction reference, string amount read exactly', () => {
      const data = { status: 'processed', transaction_reference: 'ORDER-42', refund_reference: 'RF-1', amount: '10000', currency: 'NGN', customer: { email: 'ada@example.com' } };
      const event = parse(paystackEvent('refund.processed', data));
      expect(event.id).toBe('refund.processed:RF-1:processed');
      expect(event.payment).toEqual({
        type: 'payment.refunded',
        provider: 'paystack',
        reference: 'ORDER-42',
        transactionId: undefined,
        amountMinor: 10000,
        currency: 'NGN',
        metadata: { refundReference: 'RF-1' },
        customer: { email: 'ada@example.com' },
      });
      // Without a refund reference, two partial refunds of one transaction still get different keys.
      expect(parse(paystackEvent('refund.processed', { ...data, refund_reference: null })).id).toBe('refund.processed:ORDER-42/10000:processed');
    });

    it('refuses an amount that is not an integer number of kobo', () => {
      expect(() => parse(paystackEvent('charge.success', charge({ amount: '150.5' })))).toThrow(WebhookPayloadError);
    });

    it.each([
      ['paymentrequest.success', 'payment.completed'],
      ['paymentrequest.pending', 'payment.pending'],
    ])('%s → %s on the request_code', (type, expected) => {
      const data = { id: 6304434, request_code: 'PRQ_y0paeo93jh99mho', offline_reference: '3365451604220133', status: 'success', amount: 10000, currency: 'GHS', metadata: null, customer: { email: 'b@example.com', phone: '+233200000000' } };
      expect(parse(paystackEvent(type, data)).payment).toEqual({
        type: expected,
        provider: 'paystack',
        reference: 'PRQ_y0paeo93jh99mho',
        transactionId: '6304434',
        amountMinor: 10000,
        currency: 'GHS',
        metadata: {},
        customer: { email: 'b@example.com', phone: '+233200000000' },
      });
    });

    it('invoice.payment_failed → payment.failed on the subscription code', () => {
      const data = { invoice_code: 'INV_1', amount: 50000, currency: 'NGN', status: 'failed', paid: false, subscription: { subscription_code: 'SUB_1' }, customer: { email: 'c@example.com' } };
      expect(parse(paystackEvent('invoice.payment_failed', data))).toMatchObject({
        id: 'invoice.payment_failed:INV_1:failed',
        payment: { type: 'payment.failed', reference: 'SUB_1', amountMinor: 50000, currency: 'NGN', metadata: { invoiceCode: 'INV_1' } },
      });
    });

    it('keeps other events without a payment view, and dedupes them on the body when nothing identifies them', () => {
      const transfer = parse(paystackEvent('transfer.success', { id: 7, status: 'success', reference: 'T-1' }));
      expect(transfer).toMatchObject({ id: 'transfer.success:7:success', payment: undefined });
      const body = JSON.stringify(paystackEvent('customeridentification.success', { email: 'x@example.com' }));
      expect(parse(body).id).toBe(`customeridentification.success:body-sha256:${createHash('sha256').update(body).digest('hex')}`);
    });

    it('hashes a dedupe key longer than 255 characters', () => {
      const id = parse(paystackEvent('charge.success', charge({ reference: 'R'.repeat(300), id: undefined }))).id;
      expect(id).toMatch(/^[0-9a-f]{64}$/);
      expect(id).toBe(createHash('sha256').update(`charge.success:${'R'.repeat(300)}:success`).digest('hex'));
    });

    it('gives no payment view when the reference is missing', () => {
      expect(parse(paystackEvent('charge.success', charge({ reference: '' }))).payment).toBeUndefined();
    });

    it('refuses a body that is not a Paystack event', () => {
      expect(() => parse('{not json')).toThrow(new WebhookPayloadError('The body is not valid JSON.'));
      expect(() => parse('[1,2]')).toThrow(new WebhookPayloadError('A Paystack event must be a JSON object.'));
      expect(() => parse({ data: {} })).toThrow('"event"');
      expect(() => parse({ event: 'charge.success', data: null })).toThrow('"data" object');
    });
  });
});
