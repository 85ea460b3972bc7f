import { setTimeout as sleep } from 'node:timers/promises';
import { paystackEvent, signPaystack, startFakeMvolaApi, type FakeMvolaApi } from 'nestjs-payment-webhooks/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DEMO_CLOCK, DEMO_CONFIG } from '../../apps/demo/src/demo.config';
import { PaymentStatusSources } from '../../apps/demo/src/reconciliation/payment-status-sources';
import { RegistrationReconciler } from '../../apps/demo/src/reconciliation/registration-reconciler';
import { RegistrationEntity } from '../../apps/demo/src/registrations/registration.entity';
import { RegistrationSettlement } from '../../apps/demo/src/registrations/registration-settlement';
import { startFakeStatusApis, type FakeStatusApis } from './support/fake-status-apis';
import { createEvent, register, registration, seatsLeft, SECRETS, startDemo, type DemoHarness } from './support/demo-app';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const FEEXPAY_API_TOKEN = 'feexpay-test-api-token';

/** Older than RECONCILE_AFTER (30 minutes by default). */
const PAST_RECONCILE_AFTER = 31 * MINUTE;

/** Everything configured, each status API pointed at a fake on 127.0.0.1; rounds run only when the test says. */
function reconcilingEnv(mvola: FakeMvolaApi, apis: FakeStatusApis, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...SECRETS,
    MVOLA_API_BASE_URL: mvola.url,
    MVOLA_CONSUMER_KEY: mvola.consumerKey,
    MVOLA_CONSUMER_SECRET: mvola.consumerSecret,
    MVOLA_PARTNER_NAME: 'Demo Events',
    MVOLA_PARTNER_MSISDN: '0343500004',
    PAYSTACK_API_BASE_URL: apis.url,
    FEEXPAY_API_BASE_URL: apis.url,
    FEEXPAY_API_TOKEN,
    RECONCILE_INTERVAL: 'off',
    ...extra,
  };
}

describe('demo: reconciliation of registrations no webhook settled', () => {
  let mvola: FakeMvolaApi;
  let apis: FakeStatusApis;
  let demo: DemoHarness;
  let reconciler: RegistrationReconciler;

  beforeAll(async () => {
    mvola = await startFakeMvolaApi();
    apis = await startFakeStatusApis({ paystackSecretKey: SECRETS.PAYSTACK_SECRET_KEY, feexpayToken: FEEXPAY_API_TOKEN });
    demo = await startDemo(reconcilingEnv(mvola, apis));
    reconciler = demo.app.get(RegistrationReconciler);
  });
  afterEach(() => {
    mvola.setDown(false);
    apis.setDown(false);
  });
  afterAll(async () => {
    await demo?.close();
    await mvola?.close();
    await apis?.close();
  });

  /** MVola's id of the payment the demo started for this reference. */
  const mvolaPaymentOf = async (reference: string): Promise<string> => {
    const payments = (await (await fetch(`${mvola.url}/_fake/payments`)).json()) as Array<{ serverCorrelationId: string; reference?: string }>;
    const payment = payments.find((candidate) => candidate.reference === reference);
    if (!payment) throw new Error(`The fake MVola API received no payment for ${reference}`);
    return payment.serverCorrelationId;
  };
  const logged = (level: string, fragment: string) => demo.logs.has(level, fragment);

  it('says at start-up which providers it can ask', () => {
    expect(logged('log', 'Status APIs: paystack, feexpay, mvola; stripe, payqi, standard-webhooks registrations expire unpaid.')).toBe(true);
    expect(logged('log', 'Reconciliation is off (RECONCILE_INTERVAL=off)')).toBe(true);
  });

  it('leaves young registrations alone; a Stripe one past RECONCILE_AFTER expires (no status API) and gives its seat back', async () => {
    const event = await createEvent(demo.url, { capacity: 2 });
    const old = await register(demo.url, event.id);
    demo.clock.advance(PAST_RECONCILE_AFTER);
    const young = await register(demo.url, event.id);
    expect(await seatsLeft(demo.url, event.id)).toBe(0);

    await reconciler.runOnce();
    const expired = await registration(demo.url, old.id);
    expect(expired).toMatchObject({
      status: 'EXPIRED',
      paidAt: null,
      reconciliation: { checkedAt: expect.any(String), outcome: 'expired', detail: 'stripe has no status API here', checks: 1, nextCheckAt: null },
    });
    // The contract fields are all still there.
    expect(Object.keys(expired)).toEqual(expect.arrayContaining(['id', 'eventId', 'email', 'provider', 'status', 'reference', 'paidAt']));
    const untouched = await registration(demo.url, young.id);
    expect(untouched.status).toBe('PENDING');
    expect(untouched).not.toHaveProperty('reconciliation');
    expect(await seatsLeft(demo.url, event.id)).toBe(1);
    expect(logged('log', `Registration ${old.id} (stripe, ${old.reference}): stripe has no status API here → EXPIRED, seat released.`)).toBe(true);
  });

  it('MVola "completed" at its status API → PAID, asked with the serverCorrelationId the demo kept', async () => {
    const event = await createEvent(demo.url, { capacity: 3, priceMinor: 12_000, currency: 'MGA' });
    const registered = await register(demo.url, event.id, { provider: 'mvola', phone: '0343500003' });
    const serverCorrelationId = await mvolaPaymentOf(registered.reference);
    mvola.setStatus(serverCorrelationId, 'completed');
    demo.clock.advance(PAST_RECONCILE_AFTER);

    await reconciler.runOnce();
    expect(await registration(demo.url, registered.id)).toMatchObject({
      status: 'PAID',
      paidAt: expect.any(String),
      reconciliation: { outcome: 'paid', detail: 'MVola says "completed"', checks: 1, nextCheckAt: null },
    });
    expect(mvola.requests.some((call) => call.method === 'GET' && call.path.endsWith(`/status/${serverCorrelationId}`))).toBe(true);
    expect(await seatsLeft(demo.url, event.id)).toBe(2);
    expect(logged('log', `Registration ${registered.id} (mvola, ${registered.reference}): MVola says "completed" → PAID.`)).toBe(true);
  });

  it('MVola "pending" leaves it PENDING until the next round; "failed" then → FAILED and the seat back', async () => {
    const event = await createEvent(demo.url, { capacity: 1, priceMinor: 12_000, currency: 'MGA' });
    const registered = await register(demo.url, event.id, { provider: 'mvola', phone: '0343500003' });
    const serverCorrelationId = await mvolaPaymentOf(registered.reference);
    demo.clock.advance(PAST_RECONCILE_AFTER);

    await reconciler.runOnce();
    const waiting = await registration(demo.url, registered.id);
    expect(waiting).toMatchObject({ status: 'PENDING', reconciliation: { outcome: 'pending', detail: 'MVola says "pending"', checks: 1, nextCheckAt: expect.any(String) } });
    // Not asked again before its next check (a minute later: no RECONCILE_INTERVAL here).
    await reconciler.runOnce();
    expect((await registration(demo.url, registered.id)).reconciliation?.checks).toBe(1);

    mvola.setStatus(serverCorrelationId, 'failed');
    demo.clock.advance(MINUTE + 1000);
    await reconciler.runOnce();
    expect(await registration(demo.url, registered.id)).toMatchObject({ status: 'FAILED', reconciliation: { outcome: 'failed', checks: 2, nextCheckAt: null } });
    expect(await seatsLeft(demo.url, event.id)).toBe(1);
  });

  it('FeexPay "FAILED" at its status look-up → FAILED and the seat back', async () => {
    const event = await createEvent(demo.url, { capacity: 1, priceMinor: 5000, currency: 'XOF' });
    const registered = await register(demo.url, event.id, { provider: 'feexpay' });
    apis.feexpay.set(registered.reference, { status: 'FAILED' });
    demo.clock.advance(PAST_RECONCILE_AFTER);

    await reconciler.runOnce();
    expect(await registration(demo.url, registered.id)).toMatchObject({ status: 'FAILED', reconciliation: { outcome: 'failed', detail: 'FeexPay says "FAILED"' } });
    expect(await seatsLeft(demo.url, event.id)).toBe(1);
    expect(apis.requests.find((call) => call.reference === registered.reference)).toMatchObject({ provider: 'feexpay', authorization: `Bearer ${FEEXPAY_API_TOKEN}` });
    expect(logged('log', `Registration ${registered.id} (feexpay, ${registered.reference}): FeexPay says "FAILED" → FAILED, seat released.`)).toBe(true);
  });

  it('Paystack verify "success" for the price → PAID, asked with the secret key', async () => {
    const event = await createEvent(demo.url, { capacity: 2, priceMinor: 250_000, currency: 'NGN' });
    const registered = await register(demo.url, event.id, { provider: 'paystack' });
    apis.paystack.set(registered.reference, { status: 'success', amount: 250_000, currency: 'NGN', id: 77 });
    demo.clock.advance(PAST_RECONCILE_AFTER);

    await reconciler.runOnce();
    expect(await registration(demo.url, registered.id)).toMatchObject({ status: 'PAID', reconciliation: { outcome: 'paid', detail: 'Paystack says "success"' } });
    expect(apis.requests.find((call) => call.reference === registered.reference)).toMatchObject({
      provider: 'paystack',
      authorization: `Bearer ${SECRETS.PAYSTACK_SECRET_KEY}`,
      status: 200,
    });
    expect(await seatsLeft(demo.url, event.id)).toBe(1);
  });

  it('Paystack verify "success" for another amount: checked like a webhook, never PAID; the paymentIssue shows it', async () => {
    const event = await createEvent(demo.url, { capacity: 2, priceMinor: 250_000, currency: 'NGN' });
    const registered = await register(demo.url, event.id, { provider: 'paystack' });
    apis.paystack.set(registered.reference, { status: 'success', amount: 1000, currency: 'NGN', id: 78 });
    demo.clock.advance(PAST_RECONCILE_AFTER);

    await reconciler.runOnce();
    expect(await registration(demo.url, registered.id)).toMatchObject({
      status: 'PENDING',
      paidAt: null,
      paymentIssue: { received: { provider: 'paystack', amountMinor: 1000, currency: 'NGN', transactionId: '78' }, expected: { amountMinor: 250_000, currency: 'NGN' } },
      reconciliation: { outcome: 'payment-issue', detail: 'Paystack says "success"' },
    });
    expect(logged('warn', `Registration ${registered.id} stays PENDING: payment.completed from paystack for reference ${registered.reference} paid 1000 NGN`)).toBe(true);
    expect(logged('warn', `Registration ${registered.id} (paystack, ${registered.reference}): Paystack says "success" but not as expected → stays PENDING`)).toBe(true);
    expect(await seatsLeft(demo.url, event.id)).toBe(1);
  });

  it('Paystack does not know the reference → EXPIRED and the seat back', async () => {
    const event = await createEvent(demo.url, { capacity: 1, priceMinor: 250_000, currency: 'NGN' });
    const registered = await register(demo.url, event.id, { provider: 'paystack' });
    demo.clock.advance(PAST_RECONCILE_AFTER);

    await reconciler.runOnce();
    expect(await registration(demo.url, registered.id)).toMatchObject({
      status: 'EXPIRED',
      reconciliation: { outcome: 'expired', detail: `Paystack knows no transaction ${registered.reference} (HTTP 400)` },
    });
    expect(await seatsLeft(demo.url, event.id)).toBe(1);
  });

  it('a provider that is down leaves the registration PENDING with a warning, and it is asked again next round', async () => {
    const event = await createEvent(demo.url, { capacity: 1, priceMinor: 5000, currency: 'XOF' });
    const registered = await register(demo.url, event.id, { provider: 'feexpay' });
    apis.feexpay.set(registered.reference, { status: 'SUCCESSFUL', amount: 5000 });
    apis.setDown(true);
    demo.clock.advance(PAST_RECONCILE_AFTER);

    await reconciler.runOnce();
    expect(await registration(demo.url, registered.id)).toMatchObject({
      status: 'PENDING',
      reconciliation: { outcome: 'unreachable', detail: 'FeexPay answered HTTP 503', checks: 1, nextCheckAt: expect.any(String) },
    });
    expect(await seatsLeft(demo.url, event.id)).toBe(0);
    expect(logged('warn', `Registration ${registered.id} (feexpay, ${registered.reference}): FeexPay answered HTTP 503 → stays PENDING (provider not answering)`)).toBe(true);

    apis.setDown(false);
    demo.clock.advance(MINUTE + 1000);
    await reconciler.runOnce();
    expect(await registration(demo.url, registered.id)).toMatchObject({ status: 'PAID', reconciliation: { outcome: 'paid', checks: 2 } });
  });

  it('a provider whose connection breaks counts as down, too', async () => {
    const event = await createEvent(demo.url, { capacity: 1, priceMinor: 250_000, currency: 'NGN' });
    const registered = await register(demo.url, event.id, { provider: 'paystack' });
    apis.setBroken(true);
    demo.clock.advance(PAST_RECONCILE_AFTER);
    try {
      await reconciler.runOnce();
    } finally {
      apis.setBroken(false);
    }
    expect(await registration(demo.url, registered.id)).toMatchObject({
      status: 'PENDING',
      reconciliation: { outcome: 'unreachable', detail: expect.stringMatching(/^Paystack not reachable( \(\w+\))?$/) },
    });
    expect(await seatsLeft(demo.url, event.id)).toBe(0);
  });

  it('still pending at the provider, or still unanswered, past RECONCILE_EXPIRE_AFTER → EXPIRED', async () => {
    const event = await createEvent(demo.url, { capacity: 1, priceMinor: 250_000, currency: 'NGN' });
    const mgaEvent = await createEvent(demo.url, { capacity: 1, priceMinor: 12_000, currency: 'MGA' });
    const abandoned = await register(demo.url, event.id, { provider: 'paystack' });
    const unanswered = await register(demo.url, mgaEvent.id, { provider: 'mvola', phone: '0343500003' });
    apis.paystack.set(abandoned.reference, { status: 'abandoned', amount: 250_000, currency: 'NGN' });
    demo.clock.advance(PAST_RECONCILE_AFTER);
    await reconciler.runOnce();
    expect((await registration(demo.url, abandoned.id)).reconciliation).toMatchObject({ outcome: 'pending', detail: 'Paystack says "abandoned"' });

    mvola.setDown(true);
    demo.clock.advance(24 * HOUR);
    await reconciler.runOnce();
    expect(await registration(demo.url, abandoned.id)).toMatchObject({
      status: 'EXPIRED',
      reconciliation: { outcome: 'expired', detail: expect.stringMatching(/^Paystack says "abandoned" after 24h\d+m\d*s?, past RECONCILE_EXPIRE_AFTER \(24h\)$/) },
    });
    expect(await registration(demo.url, unanswered.id)).toMatchObject({
      status: 'EXPIRED',
      reconciliation: { outcome: 'expired', detail: expect.stringMatching(/: MVola answered 503: Service Unavailable; still unanswered after 24h\d+m\d*s?, past RECONCILE_EXPIRE_AFTER \(24h\)$/) },
    });
    expect(await seatsLeft(demo.url, event.id)).toBe(1);
    expect(await seatsLeft(demo.url, mgaEvent.id)).toBe(1);
  });

  describe('a signed "completed" webhook after reconciliation expired it (DESIGN §7)', () => {
    // Paystack's deliveries are told apart by event, transaction id and status: each test pays its own transaction.
    const chargeSuccess = (reference: string, id: number) =>
      signPaystack({
        payload: paystackEvent('charge.success', { id, status: 'success', reference, amount: 250_000, currency: 'NGN', metadata: null }),
        secretKey: SECRETS.PAYSTACK_SECRET_KEY,
      });

    it('takes a seat again when one is free → PAID', async () => {
      const event = await createEvent(demo.url, { capacity: 1, priceMinor: 250_000, currency: 'NGN' });
      const registered = await register(demo.url, event.id, { provider: 'paystack' });
      demo.clock.advance(PAST_RECONCILE_AFTER);
      await reconciler.runOnce();
      expect((await registration(demo.url, registered.id)).status).toBe('EXPIRED');
      expect(await seatsLeft(demo.url, event.id)).toBe(1);

      expect((await demo.deliver('/webhooks/paystack', chargeSuccess(registered.reference, 5_000_001))).status).toBe(200);
      await demo.deliveries.runOnce();
      expect(await registration(demo.url, registered.id)).toMatchObject({ status: 'PAID', paidAt: expect.any(String) });
      expect(await seatsLeft(demo.url, event.id)).toBe(0);
    });

    it('when the seat went to someone else: stays EXPIRED, logged "paid without a seat: refund"', async () => {
      const event = await createEvent(demo.url, { capacity: 1, priceMinor: 250_000, currency: 'NGN' });
      const late = await register(demo.url, event.id, { provider: 'paystack' });
      demo.clock.advance(PAST_RECONCILE_AFTER);
      await reconciler.runOnce();
      const other = await register(demo.url, event.id, { provider: 'paystack', email: 'bob@example.com' });
      expect(await seatsLeft(demo.url, event.id)).toBe(0);

      expect((await demo.deliver('/webhooks/paystack', chargeSuccess(late.reference, 5_000_002))).status).toBe(200);
      await demo.deliveries.runOnce();
      expect((await registration(demo.url, late.id)).status).toBe('EXPIRED');
      expect((await registration(demo.url, other.id)).status).toBe('PENDING');
      expect(logged('warn', `Registration ${late.id} (${late.reference}) paid without a seat: refund paystack payment 5000002.`)).toBe(true);
      expect(await seatsLeft(demo.url, event.id)).toBe(0);
    });
  });

  it('never logs a provider credential', () => {
    const lines = JSON.stringify(demo.logs.lines);
    for (const secret of [SECRETS.PAYSTACK_SECRET_KEY, FEEXPAY_API_TOKEN, mvola.consumerSecret, SECRETS.MVOLA_CALLBACK_TOKEN]) expect(lines).not.toContain(secret);
  });
});

describe('demo: reconciliation rounds on RECONCILE_INTERVAL', () => {
  let mvola: FakeMvolaApi;
  let apis: FakeStatusApis;
  let demo: DemoHarness;

  beforeAll(async () => {
    mvola = await startFakeMvolaApi();
    apis = await startFakeStatusApis({ paystackSecretKey: SECRETS.PAYSTACK_SECRET_KEY, feexpayToken: FEEXPAY_API_TOKEN });
    demo = await startDemo(reconcilingEnv(mvola, apis, { RECONCILE_INTERVAL: '50ms', RECONCILE_AFTER: '10m', RECONCILE_EXPIRE_AFTER: '1h' }));
  });
  afterAll(async () => {
    await demo?.close();
    await mvola?.close();
    await apis?.close();
  });

  it('runs by itself, one round after the other, and settles what is due', async () => {
    expect(demo.logs.has('log', 'Every 50ms, up to 50 registrations PENDING for 10m are checked with their provider; still pending after 1h, they expire.')).toBe(true);
    const event = await createEvent(demo.url, { capacity: 1, priceMinor: 5000, currency: 'XOF' });
    const registered = await register(demo.url, event.id, { provider: 'feexpay' });
    apis.feexpay.set(registered.reference, { status: 'SUCCESSFUL', amount: 5000 });
    await sleep(150);
    expect((await registration(demo.url, registered.id)).status).toBe('PENDING');

    demo.clock.advance(11 * MINUTE);
    const deadline = Date.now() + 5000;
    while ((await registration(demo.url, registered.id)).status === 'PENDING' && Date.now() < deadline) await sleep(20);
    expect(await registration(demo.url, registered.id)).toMatchObject({ status: 'PAID', reconciliation: { outcome: 'paid', checks: 1 } });
    expect(apis.requestsFor(registered.reference)).toBe(1);
  });
});

describe('demo: two reconcilers racing on one database', () => {
  let apis: FakeStatusApis;
  let mvola: FakeMvolaApi;
  let demo: DemoHarness;

  beforeAll(async () => {
    mvola = await startFakeMvolaApi();
    apis = await startFakeStatusApis({ paystackSecretKey: SECRETS.PAYSTACK_SECRET_KEY, feexpayToken: FEEXPAY_API_TOKEN });
    demo = await startDemo(reconcilingEnv(mvola, apis, { RECONCILE_BATCH: '100' }));
  });
  afterAll(async () => {
    await demo?.close();
    await mvola?.close();
    await apis?.close();
  });

  /**
   * Another replica's reconciler: its own instance (no shared in-memory state) on the same database; on
   * PostgreSQL its queries run on other connections of the pool. (Two demo apps cannot share one
   * process: their metrics would collide in prom-client's global registry.)
   */
  const replica = () =>
    new RegistrationReconciler(
      demo.app.get(DEMO_CONFIG),
      demo.app.get(DEMO_CLOCK),
      demo.app.get<Repository<RegistrationEntity>>(getRepositoryToken(RegistrationEntity)),
      demo.deliveries,
      demo.app.get(PaymentStatusSources),
      demo.app.get(RegistrationSettlement),
    );

  it('racing rounds decide each registration once: one status call each, every seat released once', async () => {
    const event = await createEvent(demo.url, { capacity: 20, priceMinor: 5000, currency: 'XOF' });
    const registered = [];
    for (let i = 0; i < 20; i += 1) registered.push(await register(demo.url, event.id, { provider: 'feexpay', email: `guest${i}@example.com` }));
    registered.forEach((one, i) => apis.feexpay.set(one.reference, { status: i < 15 ? 'FAILED' : 'PENDING' }));
    expect(await seatsLeft(demo.url, event.id)).toBe(0);
    demo.clock.advance(PAST_RECONCILE_AFTER);

    const rounds = await Promise.all([demo.app.get(RegistrationReconciler).runOnce(), replica().runOnce(), replica().runOnce()]);
    // Between them they asked about each registration once (a round that started late finds fewer due).
    expect(rounds.reduce((sum, round) => sum + round.checked, 0)).toBe(20);
    for (const one of registered) expect({ reference: one.reference, calls: apis.requestsFor(one.reference) }).toEqual({ reference: one.reference, calls: 1 });

    const statuses = await Promise.all(registered.map((one) => registration(demo.url, one.id)));
    expect(statuses.filter((one) => one.status === 'FAILED')).toHaveLength(15);
    expect(statuses.filter((one) => one.status === 'PENDING' && one.reconciliation?.outcome === 'pending' && one.reconciliation.checks === 1)).toHaveLength(5);
    // A seat released twice would show here: 15 back, not more.
    expect(await seatsLeft(demo.url, event.id)).toBe(15);
    expect(demo.logs.lines.filter((line) => line.message.includes('→ FAILED, seat released.'))).toHaveLength(15);
  });
});
