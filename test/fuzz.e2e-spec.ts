import { Injectable } from '@nestjs/common';
import fc from 'fast-check';
import request from 'supertest';
import {
  OnPaymentCancelled,
  OnPaymentCompleted,
  OnPaymentExpired,
  OnPaymentFailed,
  OnPaymentPending,
  OnPaymentRefunded,
  paystack,
  stripe,
  type PaymentEvent,
} from 'nestjs-payment-webhooks';
import { paystackEvent, signPaystack, signStripe, stripeEvent } from 'nestjs-payment-webhooks/testing';
import { useWebhookApp } from './support/use-webhook-app';

// A short budget in every run; `npm run fuzz` runs a long one (FUZZ_RUNS).
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const SECRET = 'whsec_test_fuzz';
const PAYSTACK_KEY = 'sk_test_fuzz';

/** Records every payment handlers see, whatever its type. */
@Injectable()
class SeenPayments {
  readonly seen: PaymentEvent[] = [];

  @OnPaymentCompleted({ name: 'seen' })
  @OnPaymentFailed({ name: 'seen' })
  @OnPaymentPending({ name: 'seen' })
  @OnPaymentExpired({ name: 'seen' })
  @OnPaymentCancelled({ name: 'seen' })
  @OnPaymentRefunded({ name: 'seen' })
  record(payment: PaymentEvent): void {
    this.seen.push(payment);
  }
}

/** Any JSON value, biased towards the shapes providers use and the values that broke stores before. */
const hostileString = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 600 }), fc.constantFrom('', '\u0000', 'evt_\ud800', 'x'.repeat(501), '5000', '-1'));
const value: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(true, false, null, 1e29, -5000, 50.5, Number.MAX_SAFE_INTEGER + 2),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(hostileString, fc.integer(), fc.boolean()), { maxKeys: 4 }),
  fc.array(fc.oneof(hostileString, fc.integer()), { maxLength: 3 }),
);
const maybe = (arbitrary: fc.Arbitrary<unknown>) => fc.option(arbitrary, { nil: undefined });
/** Mostly what the provider documents, sometimes anything: so both sound and broken payments get through verification. */
const mostly = (sane: fc.Arbitrary<unknown>) => maybe(fc.oneof({ arbitrary: sane, weight: 3 }, { arbitrary: value, weight: 1 }));
const reference = fc.stringMatching(/^REF-[A-Z0-9]{1,12}$/);
const amount = fc.nat({ max: 10_000_000 });
const currency = fc.constantFrom('eur', 'usd', 'ngn', 'xof', 'EUR');

const stripeSession = fc.record({
  id: mostly(fc.stringMatching(/^(cs|pi|ch)_[a-z0-9]{4,10}$/)),
  object: fc.constantFrom('checkout.session', 'payment_intent', 'charge'),
  amount_total: mostly(amount),
  amount: mostly(amount),
  amount_received: mostly(amount),
  amount_refunded: mostly(amount),
  currency: mostly(currency),
  payment_status: mostly(fc.constantFrom('paid', 'unpaid', 'no_payment_required')),
  client_reference_id: mostly(reference),
  metadata: mostly(fc.record({ orderId: reference })),
});
const stripeType = fc.oneof(
  fc.constantFrom('checkout.session.completed', 'checkout.session.expired', 'checkout.session.async_payment_failed', 'payment_intent.succeeded', 'payment_intent.payment_failed', 'charge.refunded'),
  hostileString,
);

const paystackData = fc.record({
  id: mostly(fc.nat()),
  reference: mostly(reference),
  amount: mostly(amount),
  currency: mostly(currency),
  status: mostly(fc.constantFrom('success', 'failed', 'abandoned')),
  metadata: mostly(fc.constant({})),
});

describe('Fuzzing the ingress: never a 5xx, nothing unsigned stored, only sound payments reach handlers', () => {
  const app = useWebhookApp({
    platform: 'express',
    webhooks: { endpoints: [stripe({ secrets: [SECRET] }), paystack({ secretKey: PAYSTACK_KEY })], worker: false },
    providers: [SeenPayments],
  });

  const post = (path: string, signed: { body: string; headers: Record<string, string> }) => request(app().url).post(path).set(signed.headers).send(signed.body);

  const assertSoundPayments = () => {
    const { seen } = app().get(SeenPayments);
    if (process.env.FUZZ_RUNS) console.log(`${seen.length} payments reached handlers`);
    for (const payment of seen) {
      expect(typeof payment.reference).toBe('string');
      if (payment.amountMinor !== undefined) expect(Number.isSafeInteger(payment.amountMinor) && payment.amountMinor >= 0).toBe(true);
      if (payment.currency !== undefined) expect(payment.currency).toMatch(/^[A-Z]{3,5}$/);
    }
  };

  it(`Stripe: ${RUNS} signed events with random fields get 200 or 400, and runOnce never throws`, async () => {
    await fc.assert(
      fc.asyncProperty(stripeType, stripeSession, fc.option(hostileString, { nil: undefined }), async (type, object, id) => {
        const event = stripeEvent(type, object, id === undefined ? {} : { id });
        const response = await post('/webhooks/stripe', signStripe({ payload: event, secret: SECRET }));
        expect([200, 400]).toContain(response.status);
        await app().deliveries.runOnce();
      }),
      { numRuns: RUNS },
    );
    assertSoundPayments();
  });

  it(`Paystack: ${RUNS} signed events with random fields get 200 or 400`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom('charge.success', 'charge.failed', 'refund.processed'), hostileString), paystackData, async (type, data) => {
        const response = await post('/webhooks/paystack', signPaystack({ payload: paystackEvent(type, data), secretKey: PAYSTACK_KEY }));
        expect([200, 400]).toContain(response.status);
        await app().deliveries.runOnce();
      }),
      { numRuns: RUNS },
    );
    assertSoundPayments();
  });

  it(`${RUNS} random bodies and headers, unsigned or signed with another secret: 4xx, and nothing is stored`, async () => {
    const before = (await app().deliveries.stats()).counts;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ unit: 'binary' }), fc.json()),
        fc.record({ 'stripe-signature': maybe(fc.oneof(fc.string(), fc.constant('t=1,v1=00'))), 'content-type': fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', '') }, { requiredKeys: [] }),
        fc.boolean(),
        async (body, headers, forge) => {
          const signed = forge ? signStripe({ payload: body, secret: 'whsec_test_other' }).headers : {};
          const sent = Object.fromEntries(Object.entries({ ...headers, ...signed }).filter(([, v]) => v !== undefined)) as Record<string, string>;
          const response = await request(app().url).post('/webhooks/stripe').set(sent).send(body);
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS },
    );
    expect((await app().deliveries.stats()).counts).toEqual(before);
  });
});
