import request from 'supertest';
import { createEvent, register, registration, seatsLeft, startDemo, type DemoHarness } from './support/demo-app';

describe('demo: events and registrations (HTTP contract)', () => {
  let demo: DemoHarness;

  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('POST /events → 201 {id, seatsLeft}; GET /events/:id → the whole event', async () => {
    const created = await request(demo.url).post('/events').send({ title: 'Nest conf', capacity: 3, priceMinor: 1999, currency: 'USD' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), seatsLeft: 3 });

    const fetched = await request(demo.url).get(`/events/${created.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual({ id: created.body.id, title: 'Nest conf', capacity: 3, seatsLeft: 3, priceMinor: 1999, currency: 'USD' });
  });

  it('accepts crypto asset codes and free events', async () => {
    await createEvent(demo.url, { currency: 'XRP', priceMinor: 10_500_000 });
    await createEvent(demo.url, { currency: 'USDC', priceMinor: 0 });
  });

  it('POST /events/:id/registrations → 201 {id, status: PENDING, reference} and holds a seat', async () => {
    const event = await createEvent(demo.url, { capacity: 2 });
    const created = await request(demo.url).post(`/events/${event.id}/registrations`).send({ email: 'ada@example.com', provider: 'stripe' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), status: 'PENDING', reference: expect.stringMatching(/^REG-[0-9A-Z]{12}$/) });
    expect(await seatsLeft(demo.url, event.id)).toBe(1);

    const fetched = await request(demo.url).get(`/registrations/${created.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual({
      id: created.body.id,
      eventId: event.id,
      email: 'ada@example.com',
      provider: 'stripe',
      status: 'PENDING',
      reference: created.body.reference,
      paidAt: null,
    });
  });

  it('gives every registration its own reference', async () => {
    const event = await createEvent(demo.url, { capacity: 3 });
    const references = new Set([
      (await register(demo.url, event.id)).reference,
      (await register(demo.url, event.id)).reference,
      (await register(demo.url, event.id)).reference,
    ]);
    expect(references.size).toBe(3);
  });

  it('answers 404 for an unknown event or registration, 409 when the event is full', async () => {
    expect((await request(demo.url).get('/events/no-such-event')).status).toBe(404);
    const unknown = await request(demo.url).post('/events/no-such-event/registrations').send({ email: 'ada@example.com', provider: 'stripe' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('No event no-such-event');
    expect((await request(demo.url).get('/registrations/no-such-registration')).status).toBe(404);

    const event = await createEvent(demo.url, { capacity: 1 });
    await register(demo.url, event.id);
    const full = await request(demo.url).post(`/events/${event.id}/registrations`).send({ email: 'bob@example.com', provider: 'stripe' });
    expect(full.status).toBe(409);
    expect(full.body.message).toBe(`Event ${event.id} is full: no seat left.`);
    expect(await seatsLeft(demo.url, event.id)).toBe(0);
  });

  describe('validation: 400 with a message per field', () => {
    it.each([
      ['a capacity below 1', { capacity: 0 }, 'capacity must not be less than 1'],
      ['a fractional capacity', { capacity: 2.5 }, 'capacity must be an integer number'],
      ['a capacity sent as a string', { capacity: '5' }, 'capacity must be an integer number'],
      ['a fractional price', { priceMinor: 19.99 }, 'priceMinor must be an integer number of minor units'],
      ['a negative price', { priceMinor: -1 }, 'priceMinor must not be less than 0'],
      ['a lower-case currency', { currency: 'usd' }, 'currency must be 3 to 5 capital letters'],
      ['a six-letter currency', { currency: 'ABCDEF' }, 'currency must be 3 to 5 capital letters'],
      ['an empty title', { title: '' }, 'title should not be empty'],
      ['an unknown field', { discount: 10 }, 'property discount should not exist'],
    ])('POST /events with %s', async (_name, change, message) => {
      const response = await request(demo.url)
        .post('/events')
        .send({ title: 'Valid', capacity: 5, priceMinor: 100, currency: 'EUR', ...change });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(response.body.message).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
    });

    it('POST /events with nothing lists every missing field', async () => {
      const response = await request(demo.url).post('/events').send({});
      expect(response.status).toBe(400);
      const messages = (response.body.message as string[]).join('\n');
      for (const field of ['title', 'capacity', 'priceMinor', 'currency']) expect(messages).toContain(field);
    });

    it.each([
      ['a bad email', { email: 'not-an-email' }, 'email must be an email'],
      ['no provider', { provider: undefined }, 'provider should not be empty'],
      ['a phone with letters', { phone: '034-CALL-ME' }, 'phone must be 6 to 15 digits'],
      ['an unknown field', { seats: 2 }, 'property seats should not exist'],
    ])('POST /events/:id/registrations with %s', async (_name, change, message) => {
      const event = await createEvent(demo.url, { capacity: 1 });
      const response = await request(demo.url)
        .post(`/events/${event.id}/registrations`)
        .send({ email: 'ada@example.com', provider: 'stripe', ...change });
      expect(response.status).toBe(400);
      expect(response.body.message).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
      expect(await seatsLeft(demo.url, event.id)).toBe(1);
    });

    it('a provider that is not mounted is refused, naming the ones that are', async () => {
      const event = await createEvent(demo.url, { capacity: 1 });
      const response = await request(demo.url).post(`/events/${event.id}/registrations`).send({ email: 'ada@example.com', provider: 'paypal' });
      expect(response.status).toBe(400);
      expect(response.body.message).toEqual(['provider must be one of the providers this demo serves: stripe, paystack, feexpay, payqi, standard-webhooks']);
      expect(await seatsLeft(demo.url, event.id)).toBe(1);
    });
  });

  it('20 concurrent registrations for 5 seats: exactly 5 × 201 and 15 × 409, never below 0', async () => {
    const event = await createEvent(demo.url, { capacity: 5 });
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(demo.url).post(`/events/${event.id}/registrations`).send({ email: `guest${i}@example.com`, provider: 'stripe' }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(5);
    expect(statuses.filter((status) => status === 409)).toHaveLength(15);
    expect(await seatsLeft(demo.url, event.id)).toBe(0);
    const held = responses.filter((response) => response.status === 201);
    for (const response of held) expect((await registration(demo.url, response.body.id)).status).toBe('PENDING');
  });

  it('GET /health answers 200 from @nestjs/terminus (liveness: the webhook worker)', async () => {
    const response = await request(demo.url).get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok', info: { 'webhooks-worker': { status: 'up' } } });
  });
});

describe('demo: a provider without its secret is not mounted', () => {
  let demo: DemoHarness;

  beforeAll(async () => {
    demo = await startDemo({ STRIPE_WEBHOOK_SECRET: 'whsec_test_only_stripe' });
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('serves no endpoint for it: 404', async () => {
    const body = JSON.stringify({ event: 'charge.success', data: { reference: 'REG-X' } });
    const paystack = await request(demo.url).post('/webhooks/paystack').set('content-type', 'application/json').send(body);
    expect(paystack.status).toBe(404);
    const feexpayLegacy = await request(demo.url).post('/api/v1/payments/feexpay/webhook/').set('content-type', 'application/json').send('{}');
    expect(feexpayLegacy.status).toBe(404);
    expect((await request(demo.url).put('/webhooks/mvola?token=x').set('content-type', 'application/json').send('{}')).status).toBe(404);
  });

  it('says so at start-up, one line per provider, without any secret', () => {
    const lines = demo.logs.lines.filter((line) => /^(stripe|paystack|feexpay|payqi|mvola): /.test(line.message)).map((line) => line.message);
    expect(lines).toEqual([
      'stripe: mounted (1 secret)',
      expect.stringMatching(/^paystack: not mounted: PAYSTACK_SECRET_KEY is not set/),
      expect.stringMatching(/^feexpay: not mounted: FEEXPAY_WEBHOOK_SECRET is not set/),
      expect.stringMatching(/^payqi: not mounted: PAYQI_WEBHOOK_SECRET is not set/),
      expect.stringMatching(/^mvola: not mounted: MVOLA_CALLBACK_TOKEN is not set/),
    ]);
    expect(JSON.stringify(demo.logs.lines)).not.toContain('whsec_test_only_stripe');
  });

  it('refuses registrations for it', async () => {
    const event = await createEvent(demo.url);
    const response = await request(demo.url).post(`/events/${event.id}/registrations`).send({ email: 'ada@example.com', provider: 'paystack' });
    expect(response.status).toBe(400);
    expect(response.body.message).toEqual(['provider must be one of the providers this demo serves: stripe']);
  });
});
