import { createHmac } from 'node:crypto';
import request from 'supertest';
import { paystack, stripe } from 'nestjs-payment-webhooks';
import { paystackEvent, signStripe, stripeEvent } from 'nestjs-payment-webhooks/testing';
import { RecordingHandlers } from './support/recording-handlers';
import { checkoutCompleted } from './support/stripe-fixtures';
import { useWebhookApp } from './support/use-webhook-app';

const SECRET = 'whsec_test_hostile';
const PAYSTACK_KEY = 'sk_test_hostile';

// What a correctly signed delivery may carry is stored (200) or refused with a 400 naming the field,
// decided before the database: identically on SQLite and PostgreSQL (TEST_DATABASE_URL), on every retry.
describe('Correctly signed content that the inbox cannot hold is refused with a 4xx, never a 5xx', () => {
  const app = useWebhookApp({
    platform: 'express',
    webhooks: { endpoints: [stripe({ secrets: [SECRET] }), paystack({ secretKey: PAYSTACK_KEY })], worker: false },
    providers: [RecordingHandlers],
  });
  const send = (payload: unknown) => {
    const signed = signStripe({ payload: payload as object, secret: SECRET });
    return request(app().url).post('/webhooks/stripe').set(signed.headers).send(signed.body);
  };
  // Paystack signs the bytes themselves (HMAC-SHA512), so any byte sequence can be signed correctly.
  const sendPaystackBytes = async (body: Buffer) => {
    const signature = createHmac('sha512', PAYSTACK_KEY).update(body).digest('hex');
    // fetch sends the bytes as they are (supertest re-encodes a Buffer body sent as JSON).
    const response = await fetch(`${app().url}/webhooks/paystack`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-paystack-signature': signature }, body });
    return { status: response.status, body: (await response.json()) as { reason?: string } };
  };

  it('stores a 500-character reference (Stripe allows 500-character metadata values)', async () => {
    const response = await send(checkoutCompleted('R'.repeat(500)));
    expect(response.status).toBe(200);
    expect((await app().deliveries.get(response.body.id))?.reference).toBe('R'.repeat(500));
  });

  const refused: Array<[string, () => unknown, string]> = [
    ['a reference over 500 characters', () => checkoutCompleted('R'.repeat(501)), 'payment.reference must be 1 to 500 characters'],
    ['a type over 255 characters', () => stripeEvent('t'.repeat(256), {}), 'type must be 1 to 255 characters'],
    ['a NUL in the event id', () => stripeEvent('customer.created', {}, { id: 'evt_\u0000x' }), 'id must not contain a NUL character'],
    ['a NUL in the reference', () => checkoutCompleted('REF\u0000X'), 'payment.reference must not contain a NUL character'],
    ['a lone surrogate in the event id', () => stripeEvent('customer.created', {}, { id: 'evt_\ud800' }), 'id must be well-formed Unicode'],
    ['a client_reference_id that is true', () => checkoutCompleted('X', { client_reference_id: true }), 'payment.reference must be a string, got boolean'],
    ['a client_reference_id that is an object', () => checkoutCompleted('X', { client_reference_id: { a: 1 } }), 'payment.reference must be a string, got object'],
  ];
  it.each(refused)('%s → 400 naming the field, the same on the retry', async (_name, payload, message) => {
    const event = payload();
    for (const attempt of [1, 2]) {
      const response = await send(event);
      expect({ attempt, status: response.status }).toEqual({ attempt, status: 400 });
      expect(response.body).toMatchObject({ reason: 'invalid-payload', message: expect.stringContaining(message) });
    }
  });

  it('two ids that differ only by a lone surrogate are not folded into one', async () => {
    expect((await send(stripeEvent('customer.created', {}, { id: 'evt_\udbff' }))).status).toBe(400);
    expect((await send(stripeEvent('customer.created', {}, { id: 'evt_\ud800' }))).status).toBe(400);
  });

  it('signed bytes that are not UTF-8, or hold a NUL byte: 400 invalid-payload, not a signature failure', async () => {
    const json = JSON.stringify(paystackEvent('charge.success', { reference: 'AB', amount: 5000, currency: 'NGN', status: 'success' }));
    for (const body of [Buffer.from(json.replace('AB', 'A\u00ffB'), 'latin1'), Buffer.from(json.replace('AB', 'A\u0000B'), 'latin1')]) {
      const response = await sendPaystackBytes(body);
      expect(response.status).toBe(400);
      expect(response.body.reason).toBe('invalid-payload');
    }
  });
});

describe('Handlers only ever see a safe non-negative integer amount and a currency code', () => {
  const app = useWebhookApp({ platform: 'express', webhooks: { endpoints: [stripe({ secrets: [SECRET] })], worker: false }, providers: [RecordingHandlers] });

  const amounts: Array<[string, unknown]> = [
    ['a string', '5000'],
    ['a fraction', 50.5],
    ['a negative amount', -5000],
    ['an amount past 2^53', 1.23e29],
  ];
  it.each(amounts)('amount_total as %s: stored, then dead with the reason, no handler run', async (_name, amount) => {
    const event = checkoutCompleted(`AMOUNT-${String(amount)}`, { amount_total: amount });
    const signed = signStripe({ payload: event, secret: SECRET });
    const response = await request(app().url).post('/webhooks/stripe').set(signed.headers).send(signed.body);
    expect(response.status).toBe(200);
    await app().deliveries.runOnce();
    const stored = await app().deliveries.get(response.body.id);
    expect(stored).toMatchObject({ status: 'dead', lastError: expect.stringContaining('payment.amountMinor must be a safe non-negative integer') });
    expect(app().get(RecordingHandlers).count('completed', event.id)).toBe(0);
  });

  it('a currency that is not a code: dead with the reason', async () => {
    const event = checkoutCompleted('CURRENCY-1', { currency: 'euros!' });
    const signed = signStripe({ payload: event, secret: SECRET });
    const response = await request(app().url).post('/webhooks/stripe').set(signed.headers).send(signed.body);
    await app().deliveries.runOnce();
    expect(await app().deliveries.get(response.body.id)).toMatchObject({ status: 'dead', lastError: expect.stringContaining('payment.currency must be') });
  });
});
