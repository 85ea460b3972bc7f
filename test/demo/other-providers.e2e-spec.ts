import request from 'supertest';
import { feexpayEvent, payqiEvent, paystackEvent, signFeexpay, signPayqi, signPaystack, signStandardWebhooks, startFakeMvolaApi, type FakeMvolaApi } from 'nestjs-payment-webhooks/testing';
import { createEvent, register, registration, seatsLeft, SECRETS, startDemo, type DemoHarness } from './support/demo-app';

describe('demo: registrations paid through Paystack, FeexPay and PayQI', () => {
  let demo: DemoHarness;

  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('Paystack charge.success → PAID', async () => {
    const event = await createEvent(demo.url, { priceMinor: 250_000, currency: 'NGN' });
    const registered = await register(demo.url, event.id, { provider: 'paystack' });
    const charge = paystackEvent('charge.success', {
      id: 4_099_260_516,
      status: 'success',
      reference: registered.reference,
      amount: 250_000,
      currency: 'NGN',
      paid_at: new Date().toISOString(),
      metadata: 0,
      customer: { email: 'ada@example.com' },
    });
    const response = await demo.deliver('/webhooks/paystack', signPaystack({ payload: charge, secretKey: SECRETS.PAYSTACK_SECRET_KEY }));
    expect(response.status).toBe(200);
    expect(await demo.deliveries.runOnce()).toMatchObject({ processed: 1 });
    expect(await registration(demo.url, registered.id)).toMatchObject({ status: 'PAID', provider: 'paystack', paidAt: expect.any(String) });
    expect(demo.logs.has('warn', 'but expected')).toBe(false);
  });

  it('Standard Webhooks payment.completed → PAID; payment.refunded → REFUNDED', async () => {
    const event = await createEvent(demo.url, { priceMinor: 4200, currency: 'USD' });
    const registered = await register(demo.url, event.id, { provider: 'standard-webhooks' });
    const message = (type: string) => ({ type, timestamp: new Date().toISOString(), data: { id: 'pay_1', reference: registered.reference, amount: 4200, currency: 'USD' } });
    const send = (type: string) => demo.deliver('/webhooks/standard-webhooks', signStandardWebhooks({ payload: message(type), secret: SECRETS.STANDARD_WEBHOOKS_SECRET }));
    expect((await send('payment.completed')).status).toBe(200);
    await demo.deliveries.runOnce();
    expect(await registration(demo.url, registered.id)).toMatchObject({ status: 'PAID', provider: 'standard-webhooks' });
    expect((await send('payment.refunded')).status).toBe(200);
    await demo.deliveries.runOnce();
    expect((await registration(demo.url, registered.id)).status).toBe('REFUNDED');
  });

  it('FeexPay payment.completed on the URL kept from its dashboard → PAID', async () => {
    const event = await createEvent(demo.url, { priceMinor: 5000, currency: 'XOF' });
    const registered = await register(demo.url, event.id, { provider: 'feexpay' });
    const completed = feexpayEvent('payment.completed', { transaction_id: `txn_${registered.id.slice(0, 8)}`, reference: registered.reference, amount: 5000, currency: 'FCFA' });
    const signed = signFeexpay({ payload: completed, secret: SECRETS.FEEXPAY_WEBHOOK_SECRET });
    expect((await demo.deliver('/api/v1/payments/feexpay/webhook/', signed)).status).toBe(200);
    await demo.deliveries.runOnce();
    expect(await registration(demo.url, registered.id)).toMatchObject({ status: 'PAID', provider: 'feexpay' });
    // The same endpoint also answers at /webhooks/feexpay: a copy there is the same delivery.
    expect((await demo.deliver('/webhooks/feexpay', signed)).body).toMatchObject({ duplicate: true });
  });

  it('FeexPay payment.failed → FAILED and the seat is released', async () => {
    const event = await createEvent(demo.url, { capacity: 1, priceMinor: 5000, currency: 'XOF' });
    const registered = await register(demo.url, event.id, { provider: 'feexpay' });
    const failed = feexpayEvent('payment.failed', { transaction_id: `txn_${registered.id.slice(0, 8)}`, reference: registered.reference, status: 'FAILED' });
    expect((await demo.deliver('/webhooks/feexpay', signFeexpay({ payload: failed, secret: SECRETS.FEEXPAY_WEBHOOK_SECRET }))).status).toBe(200);
    await demo.deliveries.runOnce();
    expect((await registration(demo.url, registered.id)).status).toBe('FAILED');
    expect(await seatsLeft(demo.url, event.id)).toBe(1);
  });

  it('PayQI payment.completed (crypto, decimal amount) → PAID', async () => {
    const event = await createEvent(demo.url, { priceMinor: 10_500_000, currency: 'XRP' });
    const registered = await register(demo.url, event.id, { provider: 'payqi' });
    const completed = payqiEvent('payment.completed', {
      id: `pay_${registered.id.slice(0, 8)}`,
      amount: '10.5',
      currency: 'XRP',
      status: 'completed',
      tx_hash: 'A1B2C3',
      metadata: { order_id: registered.reference },
    });
    expect((await demo.deliver('/webhooks/payqi', signPayqi({ payload: completed, secret: SECRETS.PAYQI_WEBHOOK_SECRET }))).status).toBe(200);
    await demo.deliveries.runOnce();
    expect(await registration(demo.url, registered.id)).toMatchObject({ status: 'PAID', provider: 'payqi' });
    expect(demo.logs.has('warn', 'but expected')).toBe(false);
  });

  it('never marks PAID a payment whose amount differs from the price: the registration shows the issue', async () => {
    const event = await createEvent(demo.url, { priceMinor: 10_500_000, currency: 'XRP' });
    const registered = await register(demo.url, event.id, { provider: 'payqi' });
    const underpaid = payqiEvent('payment.completed', { id: 'pay_under', amount: '1', currency: 'XRP', status: 'completed', metadata: { order_id: registered.reference } });
    await demo.deliver('/webhooks/payqi', signPayqi({ payload: underpaid, secret: SECRETS.PAYQI_WEBHOOK_SECRET }));
    await demo.deliveries.runOnce();
    expect(await registration(demo.url, registered.id)).toMatchObject({
      status: 'PENDING',
      paidAt: null,
      paymentIssue: { received: { provider: 'payqi', amountMinor: 1_000_000, currency: 'XRP' }, expected: { provider: 'payqi', amountMinor: 10_500_000, currency: 'XRP' } },
    });
    expect(demo.logs.has('warn', `Registration ${registered.id} stays PENDING`)).toBe(true);
  });

  it('never marks PAID a payment through another provider than the registration\'s', async () => {
    const event = await createEvent(demo.url, { priceMinor: 10_500_000, currency: 'XRP' });
    const registered = await register(demo.url, event.id, { provider: 'paystack' });
    const paid = payqiEvent('payment.completed', { id: 'pay_other', amount: '10.5', currency: 'XRP', status: 'completed', metadata: { order_id: registered.reference } });
    await demo.deliver('/webhooks/payqi', signPayqi({ payload: paid, secret: SECRETS.PAYQI_WEBHOOK_SECRET }));
    await demo.deliveries.runOnce();
    expect(await registration(demo.url, registered.id)).toMatchObject({ status: 'PENDING', paymentIssue: { received: { provider: 'payqi' }, expected: { provider: 'paystack' } } });
  });
});

describe('demo: registrations paid through MVola (fake MVola API)', () => {
  let fake: FakeMvolaApi;
  let demo: DemoHarness;

  beforeAll(async () => {
    fake = await startFakeMvolaApi();
    demo = await startDemo({
      MVOLA_CALLBACK_TOKEN: SECRETS.MVOLA_CALLBACK_TOKEN,
      MVOLA_API_BASE_URL: fake.url,
      MVOLA_CONSUMER_KEY: fake.consumerKey,
      MVOLA_CONSUMER_SECRET: fake.consumerSecret,
      MVOLA_PARTNER_NAME: 'Demo Events',
      MVOLA_PARTNER_MSISDN: '0343500004',
    });
  });
  afterEach(() => fake.setDown(false));
  afterAll(async () => {
    await demo?.close();
    await fake?.close();
  });

  /** The payment the fake received for this reference (the demo keeps MVola's id, not the client). */
  const paymentOf = async (reference: string) => {
    const payments = (await (await fetch(`${fake.url}/_fake/payments`)).json()) as Array<{ serverCorrelationId: string; reference?: string; callbackUrl?: string; amount?: string; phone?: string }>;
    const payment = payments.find((candidate) => candidate.reference === reference);
    if (!payment) throw new Error(`The fake MVola API received no payment for ${reference}`);
    return payment;
  };

  const mgaEvent = (capacity = 5) => createEvent(demo.url, { capacity, priceMinor: 12_000, currency: 'MGA' });

  it('a registration with a phone starts the merchant payment; the completed callback → PAID', async () => {
    const event = await mgaEvent();
    const registered = await register(demo.url, event.id, { provider: 'mvola', phone: '0343500003' });
    expect(registered.status).toBe('PENDING');

    const payment = await paymentOf(registered.reference);
    expect(payment).toMatchObject({
      amount: '12000',
      phone: '0343500003',
      callbackUrl: `${demo.config.publicUrl}/webhooks/mvola?token=${SECRETS.MVOLA_CALLBACK_TOKEN}`,
    });
    const initiation = fake.requests.find((call) => call.method === 'POST' && call.headers['x-correlationid'] === registered.reference);
    expect(initiation).toMatchObject({ status: 202 });

    expect(await fake.callback(payment.serverCorrelationId, 'completed')).toBe(200);
    expect(await demo.deliveries.runOnce()).toMatchObject({ processed: 1 });
    expect(await registration(demo.url, registered.id)).toMatchObject({ status: 'PAID', provider: 'mvola', paidAt: expect.any(String) });
    expect(await seatsLeft(demo.url, event.id)).toBe(4);
  });

  it('the failed callback → FAILED and the seat is released', async () => {
    const event = await mgaEvent(1);
    const registered = await register(demo.url, event.id, { provider: 'mvola', phone: '0343500003' });
    const payment = await paymentOf(registered.reference);
    expect(await fake.callback(payment.serverCorrelationId, 'failed')).toBe(200);
    await demo.deliveries.runOnce();
    expect((await registration(demo.url, registered.id)).status).toBe('FAILED');
    expect(await seatsLeft(demo.url, event.id)).toBe(1);
  });

  it('MVola API down: the callback is kept and retried, not applied; once MVola answers → PAID', async () => {
    const event = await mgaEvent();
    const registered = await register(demo.url, event.id, { provider: 'mvola', phone: '0343500003' });
    const payment = await paymentOf(registered.reference);

    fake.setDown(true);
    expect(await fake.callback(payment.serverCorrelationId, 'completed')).toBe(200);
    expect(await demo.deliveries.runOnce()).toMatchObject({ claimed: 1, retried: 1, processed: 0 });
    expect((await registration(demo.url, registered.id)).status).toBe('PENDING');
    const [delivery] = await demo.deliveries.find({ provider: 'mvola', reference: registered.reference });
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringContaining('confirmation unavailable') });

    fake.setDown(false);
    // The retry waits for its backoff (≤ 1 s on the first attempt): nothing is due yet, then it is.
    expect(await demo.deliveries.runOnce()).toMatchObject({ claimed: 0 });
    demo.clock.advance(2_000);
    expect(await demo.deliveries.runOnce()).toMatchObject({ claimed: 1, processed: 1 });
    expect((await registration(demo.url, registered.id)).status).toBe('PAID');
    expect(await demo.deliveries.get(delivery.id)).toMatchObject({ status: 'processed', attempts: 2 });
  });

  it('MVola refusing to start the payment → 502 saying so, and the seat is released', async () => {
    const event = await mgaEvent(1);
    fake.setDown(true);
    const response = await request(demo.url).post(`/events/${event.id}/registrations`).send({ email: 'ada@example.com', provider: 'mvola', phone: '0343500003' });
    expect(response.status).toBe(502);
    expect(response.body.message).toMatch(/^MVola could not start the payment \(.*503.*\)\. The seat was released; register again later\.$/);
    expect(JSON.stringify(response.body)).not.toContain(SECRETS.MVOLA_CALLBACK_TOKEN);
    expect(await seatsLeft(demo.url, event.id)).toBe(1);
  });

  it('MVola without a phone is refused before any seat is taken: it could never be paid', async () => {
    const event = await createEvent(demo.url, { capacity: 1, priceMinor: 10_000, currency: 'MGA' });
    const response = await request(demo.url).post(`/events/${event.id}/registrations`).send({ email: 'ada@example.com', provider: 'mvola' });
    expect(response.status).toBe(400);
    expect(response.body.message).toEqual([expect.stringContaining('phone is required with provider mvola')]);
    expect(await seatsLeft(demo.url, event.id)).toBe(1);
  });

  it('MVola charges Ariary only: another currency is refused before any seat is taken', async () => {
    const event = await createEvent(demo.url, { capacity: 1, currency: 'EUR' });
    const response = await request(demo.url).post(`/events/${event.id}/registrations`).send({ email: 'ada@example.com', provider: 'mvola', phone: '0343500003' });
    expect(response.status).toBe(400);
    expect(response.body.message).toEqual([expect.stringContaining('provider mvola charges Ariary only')]);
    expect(await seatsLeft(demo.url, event.id)).toBe(1);
  });

  it('a callback with a wrong token is refused', async () => {
    const event = await mgaEvent();
    const registered = await register(demo.url, event.id, { provider: 'mvola', phone: '0343500003' });
    const payment = await paymentOf(registered.reference);
    const body = JSON.stringify(fake.callbackBody(payment.serverCorrelationId, 'completed'));
    const response = await request(demo.url).put('/webhooks/mvola?token=guessed').set('content-type', 'application/json').send(body);
    expect(response.status).toBe(401);
    await demo.deliveries.runOnce();
    expect((await registration(demo.url, registered.id)).status).toBe('PENDING');
  });

  it('never logs the callback token or the consumer secret', () => {
    const logged = JSON.stringify(demo.logs.lines);
    expect(logged).not.toContain(SECRETS.MVOLA_CALLBACK_TOKEN);
    expect(logged).not.toContain(fake.consumerSecret);
  });
});
