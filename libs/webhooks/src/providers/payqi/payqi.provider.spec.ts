import { WebhookPayloadError } from '../../errors/webhook-payload.error';
import { payqiEvent, signPayqi } from '../../testing/sign-payqi';
import { rawRequest, refusalReason, unsigned, type SpecDelivery } from '../provider-helpers.for-spec';
import { payqi } from './payqi.provider';

const NOW = new Date('2026-11-25T12:00:00Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);
const OLD_SECRET = 'payqi_old_secret_123';
const NEW_SECRET = 'payqi_new_secret_456';

const request = (signed: SpecDelivery, receivedAt = NOW) => rawRequest(signed, { path: '/webhooks/payqi', receivedAt });

const payment = (overrides: Record<string, unknown> = {}) => ({
  id: 'pay_7',
  amount: '10.000001',
  currency: 'xrp',
  status: 'completed',
  tx_hash: 'A1B2C3',
  metadata: { order_id: 'ORDER-7', customer_ref: 'c7' },
  ...overrides,
});

describe('payqi provider', () => {
  const provider = payqi({ secrets: [NEW_SECRET] });
  const event = payqiEvent('payment.completed', payment(), { id: 'evt_7', created: nowSeconds - 10 });

  describe('verify', () => {
    it('accepts a fresh delivery signed with the secret', () => {
      expect(provider.verify(request(signPayqi({ payload: event, secret: NEW_SECRET, timestamp: nowSeconds })))).toEqual({ secretIndex: 0 });
    });

    it('refuses a wrong secret, a tampered body, missing or malformed headers', () => {
      expect(refusalReason(() => provider.verify(request(signPayqi({ payload: event, secret: 'wrong', timestamp: nowSeconds }))))).toBe('invalid-signature');
      const good = signPayqi({ payload: event, secret: NEW_SECRET, timestamp: nowSeconds });
      expect(refusalReason(() => provider.verify(request({ ...good, body: good.body.replace('10.000001', '10.000002') })))).toBe('invalid-signature');
      const { 'x-payqi-signature': signature, 'x-payqi-timestamp': timestamp } = good.headers;
      expect(refusalReason(() => provider.verify(request({ ...good, headers: { 'x-payqi-timestamp': timestamp } })))).toBe('missing-header');
      expect(refusalReason(() => provider.verify(request({ ...good, headers: { 'x-payqi-signature': signature } })))).toBe('missing-header');
      expect(refusalReason(() => provider.verify(request({ ...good, headers: { 'x-payqi-signature': signature, 'x-payqi-timestamp': '2026-11-25T12:00:00Z' } })))).toBe('malformed-header');
      expect(refusalReason(() => provider.verify(request({ ...good, headers: { 'x-payqi-signature': 'nope', 'x-payqi-timestamp': timestamp } })))).toBe('malformed-header');
    });

    it('refuses a timestamp more than the tolerance away either way, and accepts one just inside it', () => {
      const at = (timestamp: number) => request(signPayqi({ payload: event, secret: NEW_SECRET, timestamp }));
      expect(refusalReason(() => provider.verify(at(nowSeconds - 301)))).toBe('timestamp-out-of-tolerance');
      expect(refusalReason(() => provider.verify(at(nowSeconds + 301)))).toBe('timestamp-out-of-tolerance');
      expect(provider.verify(at(nowSeconds - 300))).toEqual({ secretIndex: 0 });
      expect(provider.verify(at(nowSeconds + 300))).toEqual({ secretIndex: 0 });
      const strict = payqi({ secrets: [NEW_SECRET], tolerance: 60 });
      expect(refusalReason(() => strict.verify(at(nowSeconds - 61)))).toBe('timestamp-out-of-tolerance');
    });

    it('checks the signature before the timestamp: a stale unsigned request is an invalid signature', () => {
      const stale = signPayqi({ payload: event, secret: 'wrong', timestamp: nowSeconds - 3600 });
      expect(refusalReason(() => provider.verify(request(stale)))).toBe('invalid-signature');
    });

    it('accepts the old and the new secret while rotating, until the old one expires', () => {
      const rotating = payqi({ secrets: [{ secret: OLD_SECRET, notAfter: '2026-11-25T11:00:00Z' }, NEW_SECRET] });
      const old = signPayqi({ payload: event, secret: OLD_SECRET, timestamp: nowSeconds });
      const fresh = signPayqi({ payload: event, secret: NEW_SECRET, timestamp: nowSeconds });
      expect(rotating.verify(request(fresh))).toEqual({ secretIndex: 1 });
      expect(refusalReason(() => rotating.verify(request(old)))).toBe('invalid-signature');
      const before = new Date('2026-11-25T10:59:00Z');
      const oldThen = signPayqi({ payload: event, secret: OLD_SECRET, timestamp: Math.floor(before.getTime() / 1000) });
      expect(rotating.verify(request(oldThen, before))).toEqual({ secretIndex: 0 });
    });
  });

  describe('validate', () => {
    it('names bad secrets, tolerance and decimals', () => {
      expect(provider.validate!()).toEqual([]);
      expect(payqi({ secrets: [NEW_SECRET, ''], tolerance: 0, decimals: { BTC: 8, ETH: 18, DOGE: 1.5 } }).validate!()).toEqual([
        'secrets[1]: the secret is empty',
        'tolerance: must be a positive number of seconds',
        'decimals.ETH: must be an integer from 0 to 15, so that amounts in minor units stay exact integers',
        'decimals.DOGE: must be an integer from 0 to 15, so that amounts in minor units stay exact integers',
      ]);
    });
  });

  describe('parse and normalize', () => {
    const parse = (body: unknown, p = provider) => p.parse(request(unsigned(body)));

    it('payment.completed → payment.completed, the XRP amount converted exactly to drops', () => {
      expect(parse(event)).toEqual({
        provider: 'payqi',
        id: 'evt_7',
        type: 'payment.completed',
        payload: event,
        occurredAt: new Date((nowSeconds - 10) * 1000),
        payment: {
          type: 'payment.completed',
          provider: 'payqi',
          reference: 'ORDER-7',
          transactionId: 'pay_7',
          amountMinor: 10000001,
          currency: 'XRP',
          metadata: { order_id: 'ORDER-7', customer_ref: 'c7', txHash: 'A1B2C3' },
        },
      });
    });

    it.each([
      ['payment.created', 'payment.pending'],
      ['payment.pending', 'payment.pending'],
      ['payment.failed', 'payment.failed'],
      ['payment.expired', 'payment.expired'],
    ])('%s → %s', (type, expected) => {
      expect(parse(payqiEvent(type, payment({ tx_hash: null }), { id: 'evt_8' })).payment).toEqual({
        type: expected,
        provider: 'payqi',
        reference: 'ORDER-7',
        transactionId: 'pay_7',
        amountMinor: 10000001,
        currency: 'XRP',
        metadata: { order_id: 'ORDER-7', customer_ref: 'c7' },
      });
    });

    it.each([
      [10.5, 10500000],
      [10, 10000000],
      [0.1, 100000],
      ['10.500001', 10500001],
      ['10.000001', 10000001],
      ['0.000001', 1],
      ['10.500000000', 10500000],
    ])('amount %p XRP → %p drops', (amount, drops) => {
      expect(parse(payqiEvent('payment.completed', payment({ amount }))).payment?.amountMinor).toBe(drops);
    });

    it('refuses more decimals than the asset has, rather than rounding', () => {
      expect(() => parse(payqiEvent('payment.completed', payment({ amount: '10.0000001' })))).toThrow(new WebhookPayloadError('amount 10.0000001 has more than 6 decimal places'));
      expect(() => parse(payqiEvent('payment.completed', payment({ amount: 0.1234567 })))).toThrow(WebhookPayloadError);
    });

    it('asks to configure an unknown asset, and uses configured decimals', () => {
      const btc = payqiEvent('payment.completed', payment({ amount: '0.00012345', currency: 'BTC' }));
      expect(() => parse(btc)).toThrow("PayQI asset BTC has no known number of decimals; add it to the provider's `decimals` option, e.g. decimals: { BTC: 8 }.");
      const configured = payqi({ secrets: [NEW_SECRET], decimals: { btc: 8 } });
      expect(parse(btc, configured).payment).toMatchObject({ amountMinor: 12345, currency: 'BTC' });
      expect(parse(event, configured).payment?.amountMinor).toBe(10000001);
    });

    it('keeps events without an order_id or of other types without a payment view', () => {
      expect(parse(payqiEvent('payment.completed', payment({ metadata: null }))).payment).toBeUndefined();
      expect(parse(payqiEvent('payout.sent', { id: 'po_1' }))).toMatchObject({ type: 'payout.sent', payment: undefined });
    });

    it('refuses a body that is not a PayQI event', () => {
      expect(() => parse('{not json')).toThrow(new WebhookPayloadError('The body is not valid JSON.'));
      expect(() => parse('null')).toThrow(new WebhookPayloadError('A PayQI event must be a JSON object.'));
      expect(() => parse({ type: 'payment.completed', data: {} })).toThrow('"id" and "type"');
      expect(() => parse({ id: 'evt_1', type: 'payment.completed' })).toThrow('"data" object');
      expect(() => parse(payqiEvent('payment.completed', payment({ currency: undefined })))).toThrow('needs a "currency"');
    });
  });
});
