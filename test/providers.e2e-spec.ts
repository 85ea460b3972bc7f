import { Injectable } from '@nestjs/common';
import request from 'supertest';
import {
  feexpay,
  OnPaymentEvent,
  OnProviderEvent,
  payqi,
  paystack,
  standardWebhooks,
  stripe,
  type PaymentEvent,
  type ProviderEvent,
  type WebhookProvider,
} from 'nestjs-payment-webhooks';
import {
  feexpayEvent,
  payqiEvent,
  paystackEvent,
  signFeexpay,
  signPayqi,
  signPaystack,
  signStandardWebhooks,
  signStripe,
  stripeEvent,
  type SignedRequest,
} from 'nestjs-payment-webhooks/testing';
import { useWebhookApp } from './support/use-webhook-app';
import { PLATFORMS, type WebhookApp } from './support/webhook-app';

const SW_OLD = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SW_NEW = 'whsec_dGVzdC1zdGFuZGFyZC13ZWJob29rcy1rZXk=';

@Injectable()
class SeenPayments {
  readonly payments: PaymentEvent[] = [];
  readonly raw: ProviderEvent[] = [];

  @OnPaymentEvent('payment.completed')
  @OnPaymentEvent('payment.refunded')
  record(payment: PaymentEvent): void {
    this.payments.push(payment);
  }

  @OnProviderEvent('acme')
  any(event: ProviderEvent): void {
    this.raw.push(event);
  }
}

/** One provider: how to sign for it with a given secret, and what its completed payment normalizes to. */
interface Case {
  name: string;
  path: string;
  method?: 'post' | 'put';
  secrets: [string, string];
  sign(secret: string, reference: string, timestamp?: number): SignedRequest;
  expected(reference: string): Partial<PaymentEvent>;
  stale?: boolean;
  /** A secret of the right shape that is not configured. Default: the first one with a suffix. */
  wrong?: string;
}

let paystackIds = 1000;

const now = () => Math.floor(Date.now() / 1000);
const cases: Case[] = [
  {
    name: 'stripe',
    path: '/webhooks/stripe',
    secrets: ['whsec_test_us_old', 'whsec_test_us_new'],
    sign: (secret, reference, timestamp) =>
      signStripe({ secret, timestamp, payload: stripeEvent('checkout.session.completed', { id: `cs_${reference}`, object: 'checkout.session', amount_total: 4200, currency: 'usd', payment_status: 'paid', status: 'complete', client_reference_id: reference, metadata: {} }) }),
    expected: (reference) => ({ provider: 'stripe', reference, amountMinor: 4200, currency: 'USD' }),
    stale: true,
  },
  {
    name: 'stripe-eu',
    path: '/eu/stripe/webhook',
    secrets: ['whsec_test_eu_old', 'whsec_test_eu_new'],
    sign: (secret, reference, timestamp) =>
      signStripe({ secret, timestamp, payload: stripeEvent('payment_intent.succeeded', { id: `pi_${reference}`, object: 'payment_intent', amount: 1999, amount_received: 1999, currency: 'eur', metadata: { orderId: reference } }) }),
    expected: (reference) => ({ provider: 'stripe-eu', reference, amountMinor: 1999, currency: 'EUR' }),
    stale: true,
  },
  {
    name: 'paystack',
    path: '/webhooks/paystack',
    secrets: ['sk_test_paystack_old', 'sk_test_paystack_new'],
    sign: (secretKey, reference) =>
      signPaystack({ secretKey, payload: paystackEvent('charge.success', { id: paystackIds++, status: 'success', reference, amount: '500000', currency: 'NGN', metadata: '', customer: { email: 'ada@example.com' } }) }),
    expected: (reference) => ({ provider: 'paystack', reference, amountMinor: 500000, currency: 'NGN', customer: { email: 'ada@example.com' } }),
  },
  {
    name: 'feexpay',
    path: '/api/v1/payments/feexpay/webhook/',
    secrets: ['feexpay_test_old', 'feexpay_test_new'],
    sign: (secret, reference) => signFeexpay({ secret, payload: feexpayEvent('payment.completed', { reference, transaction_id: `txn_${reference}`, amount: 15000, currency: 'FCFA' }) }),
    expected: (reference) => ({ provider: 'feexpay', reference, amountMinor: 15000, currency: 'XOF' }),
  },
  {
    name: 'payqi',
    path: '/webhooks/payqi',
    secrets: ['payqi_test_old', 'payqi_test_new'],
    sign: (secret, reference, timestamp) =>
      signPayqi({ secret, timestamp, payload: payqiEvent('payment.completed', { id: `pay_${reference}`, amount: '12.345678', currency: 'XRP', status: 'completed', tx_hash: 'ABC', metadata: { order_id: reference } }) }),
    expected: (reference) => ({ provider: 'payqi', reference, amountMinor: 12345678, currency: 'XRP' }),
    stale: true,
  },
  {
    name: 'acme',
    path: '/webhooks/acme',
    secrets: [SW_OLD, SW_NEW],
    sign: (secret, reference, timestamp) => signStandardWebhooks({ secret, timestamp, id: `msg_${reference}`, payload: { type: 'invoice.paid', data: { reference, amount: 700, currency: 'usd' } } }),
    expected: (reference) => ({ provider: 'acme', reference, amountMinor: 700, currency: 'USD' }),
    stale: true,
    wrong: 'whsec_d3Jvbmctc2VjcmV0LWtleS0xMjM0NTY3OA==',
  },
];

function endpoints(): WebhookProvider[] {
  return [
    stripe({ secrets: cases[0].secrets }),
    stripe({ name: 'stripe-eu', secrets: cases[1].secrets, path: cases[1].path }),
    paystack({ secretKeys: cases[2].secrets }),
    feexpay({ secrets: cases[3].secrets, path: cases[3].path }),
    payqi({ secrets: cases[4].secrets }),
    standardWebhooks<{ type: string; data: { reference: string; amount: number; currency: string } }>({
      name: 'acme',
      secrets: cases[5].secrets,
      normalize: (payload, event) =>
        payload.type === 'invoice.paid'
          ? { type: 'payment.completed', provider: event.provider, reference: payload.data.reference, amountMinor: payload.data.amount, currency: payload.data.currency.toUpperCase(), metadata: {} }
          : undefined,
    }),
  ];
}

describe.each(PLATFORMS)('Every provider end to end on %s', (platform) => {
  const app = useWebhookApp({ platform, webhooks: { endpoints: endpoints(), worker: false }, providers: [SeenPayments] });
  let harness: WebhookApp;
  beforeAll(() => (harness = app()));

  const send = (c: Case, signed: SignedRequest, path = c.path) => request(harness.url)[c.method ?? 'post'](path).set(signed.headers).send(signed.body);

  describe.each(cases)('$name', (c) => {
    it('old and new secret are both accepted (rotation), and the payment is normalized exactly', async () => {
      const seen = harness.get(SeenPayments);
      for (const [index, secret] of c.secrets.entries()) {
        const reference = `${c.name}-ROT-${index}-${platform}`;
        const response = await send(c, c.sign(secret, reference));
        expect(response.status).toBe(200);
        expect(response.body.duplicate).toBe(false);
        await harness.deliveries.runOnce();
        expect(seen.payments.find((p) => p.reference === reference)).toMatchObject({ type: 'payment.completed', ...c.expected(reference) });
      }
    });

    it('a wrong secret → 401 invalid-signature', async () => {
      const response = await send(c, c.sign(c.wrong ?? `${c.secrets[0]}x`, `${c.name}-WRONG`));
      expect(response.status).toBe(401);
      expect(response.body.reason).toBe('invalid-signature');
    });

    it('a tampered body → 401', async () => {
      const signed = c.sign(c.secrets[1], `${c.name}-TAMPER`);
      const response = await send(c, { ...signed, body: signed.body.replace('TAMPER', 'TAMPAR') });
      expect(response.status).toBe(401);
    });

    it('no signature headers → 401 missing-header', async () => {
      const signed = c.sign(c.secrets[1], `${c.name}-MISSING`);
      const response = await send(c, { body: signed.body, headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(401);
      expect(response.body.reason).toBe('missing-header');
    });

    if (c.stale) {
      it('a timestamp outside the tolerance → 400 timestamp-out-of-tolerance', async () => {
        const response = await send(c, c.sign(c.secrets[1], `${c.name}-STALE`, now() - 3600));
        expect(response.status).toBe(400);
        expect(response.body.reason).toBe('timestamp-out-of-tolerance');
      });
    }
  });

  it('stripe and stripe-eu run side by side: a delivery signed for one is refused by the other', async () => {
    const signed = cases[0].sign(cases[0].secrets[0], 'CROSS-1');
    expect((await send(cases[1], signed)).status).toBe(401);
    expect((await send(cases[0], signed)).status).toBe(200);
  });

  it('@OnProviderEvent(provider) with no type sees every event of that provider', async () => {
    const signed = signStandardWebhooks({ secret: SW_NEW, id: `msg_other_${platform}`, payload: { type: 'customer.updated', data: {} } });
    expect((await send(cases[5], signed)).status).toBe(200);
    await harness.deliveries.runOnce();
    expect(harness.get(SeenPayments).raw.map((event) => event.type)).toContain('customer.updated');
  });
});
