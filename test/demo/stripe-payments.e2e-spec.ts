import { signStripe, stripeEvent } from 'nestjs-payment-webhooks/testing';
import { DataSource } from 'typeorm';
import { createEvent, register, registration, seatsLeft, startDemo, type DemoHarness } from './support/demo-app';
import { checkoutSession as session, type Registered } from './support/checkout-session';

const NEW_SECRET = 'whsec_test_demo_new';
const OLD_SECRET = 'whsec_test_demo_old';

describe('demo: registrations paid through Stripe', () => {
  let demo: DemoHarness;

  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(async () => {
    await demo?.close();
  });

  const send = async (type: string, object: object, secret = NEW_SECRET) => {
    const response = await demo.deliver('/webhooks/stripe', signStripe({ payload: stripeEvent(type, object), secret }));
    expect(response.status).toBe(200);
    return response.body as { id: string; duplicate: boolean };
  };
  const processDue = () => demo.deliveries.runOnce();
  const statusOf = async (registered: Registered) => (await registration(demo.url, registered.id)).status;

  it('checkout.session.completed (paid) → PAID with paidAt; the seat stays taken', async () => {
    const event = await createEvent(demo.url, { capacity: 2 });
    const registered = await register(demo.url, event.id);
    const delivery = await send('checkout.session.completed', session(registered));
    // Acknowledged and stored; nothing is applied before processing.
    expect(await statusOf(registered)).toBe('PENDING');

    expect(await processDue()).toMatchObject({ processed: 1, retried: 0 });
    const paid = await registration(demo.url, registered.id);
    expect(paid).toMatchObject({ status: 'PAID', paidAt: expect.any(String) });
    expect(Math.abs(Date.parse(paid.paidAt!) - Date.now())).toBeLessThan(60_000);
    expect(await seatsLeft(demo.url, event.id)).toBe(1);
    expect((await demo.deliveries.get(delivery.id))!.handlers).toEqual([
      expect.objectContaining({ handler: 'registration-paid', status: 'succeeded', attempts: 1 }),
    ]);
  });

  it('verifies with any secret of the rotation list', async () => {
    const event = await createEvent(demo.url);
    const registered = await register(demo.url, event.id);
    await send('checkout.session.completed', session(registered), OLD_SECRET);
    await processDue();
    expect(await statusOf(registered)).toBe('PAID');
  });

  it('finds the registration by metadata.registrationId when there is no client_reference_id', async () => {
    const event = await createEvent(demo.url);
    const registered = await register(demo.url, event.id);
    await send('checkout.session.completed', session(registered, { client_reference_id: null, metadata: { registrationId: registered.id } }));
    await processDue();
    expect(await statusOf(registered)).toBe('PAID');
  });

  it('checkout.session.async_payment_failed → FAILED and the seat is released', async () => {
    const event = await createEvent(demo.url, { capacity: 1 });
    const registered = await register(demo.url, event.id);
    expect(await seatsLeft(demo.url, event.id)).toBe(0);
    await send('checkout.session.async_payment_failed', session(registered, { payment_status: 'unpaid' }));
    await processDue();
    expect(await registration(demo.url, registered.id)).toMatchObject({ status: 'FAILED', paidAt: null });
    expect(await seatsLeft(demo.url, event.id)).toBe(1);
  });

  it('payment_intent.canceled → FAILED and the seat is released', async () => {
    const event = await createEvent(demo.url, { capacity: 1 });
    const registered = await register(demo.url, event.id);
    await send('payment_intent.canceled', { id: 'pi_canceled', object: 'payment_intent', amount: 2500, currency: 'eur', metadata: { registrationId: registered.id } });
    await processDue();
    expect(await statusOf(registered)).toBe('FAILED');
    expect(await seatsLeft(demo.url, event.id)).toBe(1);
  });

  it('checkout.session.expired → EXPIRED and the seat is released', async () => {
    const event = await createEvent(demo.url, { capacity: 1 });
    const registered = await register(demo.url, event.id);
    await send('checkout.session.expired', session(registered, { payment_status: 'unpaid', status: 'expired' }));
    await processDue();
    expect(await statusOf(registered)).toBe('EXPIRED');
    expect(await seatsLeft(demo.url, event.id)).toBe(1);
  });

  it('charge.refunded after PAID → REFUNDED and the seat is released; a partial refund keeps it', async () => {
    const event = await createEvent(demo.url, { capacity: 2 });
    const registered = await register(demo.url, event.id);
    await send('checkout.session.completed', session(registered));
    await processDue();
    const charge = { id: `ch_${registered.id.slice(0, 8)}`, object: 'charge', amount: 2500, currency: 'eur', metadata: { registrationId: registered.id }, payment_intent: 'pi_x' };

    await send('charge.refunded', { ...charge, amount_refunded: 500 });
    await processDue();
    expect(await statusOf(registered)).toBe('PAID');
    expect(await seatsLeft(demo.url, event.id)).toBe(1);

    await send('charge.refunded', { ...charge, amount_refunded: 2500 });
    await processDue();
    expect(await statusOf(registered)).toBe('REFUNDED');
    expect(await seatsLeft(demo.url, event.id)).toBe(2);
  });

  it('a refund of a registration that was never paid changes nothing', async () => {
    const event = await createEvent(demo.url, { capacity: 1 });
    const registered = await register(demo.url, event.id);
    await send('charge.refunded', { id: 'ch_unpaid', object: 'charge', amount: 2500, amount_refunded: 2500, currency: 'eur', metadata: { registrationId: registered.id } });
    await processDue();
    expect(await statusOf(registered)).toBe('PENDING');
    expect(await seatsLeft(demo.url, event.id)).toBe(0);
  });

  describe('out of order and late events never move a registration backwards', () => {
    it('expired delivered after completed: stays PAID, the seat stays taken', async () => {
      const event = await createEvent(demo.url, { capacity: 2 });
      const registered = await register(demo.url, event.id);
      await send('checkout.session.completed', session(registered));
      await processDue();
      await send('checkout.session.expired', session(registered, { status: 'expired' }));
      await send('checkout.session.async_payment_failed', session(registered));
      await send('checkout.session.completed', session(registered, { payment_status: 'unpaid' })); // → payment.pending
      await processDue();
      expect(await statusOf(registered)).toBe('PAID');
      expect(await seatsLeft(demo.url, event.id)).toBe(1);
    });

    it('completed and expired processed in the same round: PAID, one seat taken', async () => {
      const event = await createEvent(demo.url, { capacity: 2 });
      const registered = await register(demo.url, event.id);
      await send('checkout.session.expired', session(registered, { status: 'expired' }));
      await send('checkout.session.completed', session(registered));
      expect(await processDue()).toMatchObject({ processed: 2 });
      expect(await statusOf(registered)).toBe('PAID');
      expect(await seatsLeft(demo.url, event.id)).toBe(1);
    });

    it('completed after EXPIRED takes a seat again when one is free', async () => {
      const event = await createEvent(demo.url, { capacity: 2 });
      const registered = await register(demo.url, event.id);
      await send('checkout.session.expired', session(registered, { status: 'expired' }));
      await processDue();
      expect(await seatsLeft(demo.url, event.id)).toBe(2);
      await send('checkout.session.completed', session(registered));
      await processDue();
      expect(await statusOf(registered)).toBe('PAID');
      expect(await seatsLeft(demo.url, event.id)).toBe(1);
    });

    it('completed after EXPIRED when the event filled up meanwhile: stays EXPIRED and is logged for a refund', async () => {
      const event = await createEvent(demo.url, { capacity: 1 });
      const late = await register(demo.url, event.id);
      await send('checkout.session.expired', session(late, { status: 'expired' }));
      await processDue();
      const other = await register(demo.url, event.id, { email: 'bob@example.com' });
      expect(await seatsLeft(demo.url, event.id)).toBe(0);

      await send('checkout.session.completed', session(late));
      expect(await processDue()).toMatchObject({ processed: 1 });
      expect(await statusOf(late)).toBe('EXPIRED');
      expect(await statusOf(other)).toBe('PENDING');
      expect(await seatsLeft(demo.url, event.id)).toBe(0);
      expect(demo.logs.has('warn', `Registration ${late.id} (${late.reference}) paid without a seat: refund stripe payment pi_test_`)).toBe(true);
    });
  });

  it('a round of completed payments settles in batches, each as it would alone: two of one registration, a mismatch, an unknown reference, one after EXPIRED', async () => {
    const event = await createEvent(demo.url, { capacity: 10 });
    const [paid, twice, mismatched, revived] = [await register(demo.url, event.id), await register(demo.url, event.id), await register(demo.url, event.id), await register(demo.url, event.id)];
    await send('checkout.session.expired', session(revived, { status: 'expired' }));
    await processDue();
    expect(await seatsLeft(demo.url, event.id)).toBe(7);

    const deliveries = [
      await send('checkout.session.completed', session(paid)),
      await send('checkout.session.completed', session(twice)),
      await send('checkout.session.async_payment_succeeded', session(twice)),
      await send('checkout.session.completed', session(mismatched, { amount_total: 999 })),
      await send('checkout.session.completed', session({ id: 'unknown1', reference: 'REG-UNKNOWN00001' })),
      await send('checkout.session.completed', session(revived)),
    ];
    expect(await processDue()).toMatchObject({ claimed: 6, processed: 6, retried: 0 });

    expect(await statusOf(paid)).toBe('PAID');
    expect(await statusOf(twice)).toBe('PAID');
    expect(await statusOf(revived)).toBe('PAID');
    expect(await registration(demo.url, mismatched.id)).toMatchObject({ status: 'PENDING', paymentIssue: { received: { amountMinor: 999 }, expected: { amountMinor: 2500 } } });
    // Four held seats, the revived registration's taken again once, the second payment of one registration a no-op.
    expect(await seatsLeft(demo.url, event.id)).toBe(6);
    // Written in one statement, each with its own payment's id.
    const ids = [paid, twice, revived].map(({ id }) => id);
    const rows: Array<{ id: string; payment_transaction_id: string }> = await demo.app
      .get(DataSource)
      .query(`SELECT id, payment_transaction_id FROM registrations WHERE id IN (${ids.map((_, i) => (demo.database.kind === 'postgres' ? `$${i + 1}` : '?')).join(', ')})`, ids);
    expect(Object.fromEntries(rows.map((row) => [row.id, row.payment_transaction_id]))).toEqual(Object.fromEntries(ids.map((id) => [id, `pi_test_${id.slice(0, 8)}`])));
    for (const { id } of deliveries) {
      expect((await demo.deliveries.get(id))!.handlers).toEqual([expect.objectContaining({ handler: 'registration-paid', status: 'succeeded', attempts: 1 })]);
    }
    expect(demo.logs.has('warn', 'No registration for payment.completed from stripe for reference REG-UNKNOWN00001')).toBe(true);
    expect(demo.logs.has('warn', 'failed on a batch')).toBe(false);
  });

  it('a duplicate delivery is acknowledged with the same id and applied once', async () => {
    const event = await createEvent(demo.url, { capacity: 3 });
    const registered = await register(demo.url, event.id);
    const signed = signStripe({ payload: stripeEvent('checkout.session.completed', session(registered)), secret: NEW_SECRET });
    const first = await demo.deliver('/webhooks/stripe', signed);
    const second = await demo.deliver('/webhooks/stripe', signed);
    expect(second.body).toEqual({ received: true, id: first.body.id, duplicate: true });
    expect(await processDue()).toMatchObject({ claimed: 1, processed: 1 });

    const third = await demo.deliver('/webhooks/stripe', signed);
    expect(third.body).toEqual({ received: true, id: first.body.id, duplicate: true });
    expect(await processDue()).toMatchObject({ claimed: 0 });
    expect((await demo.deliveries.get(first.body.id))!.handlers).toEqual([expect.objectContaining({ status: 'succeeded', attempts: 1 })]);

    // Another event about the same payment (Stripe sends both) is a no-op too.
    await send('checkout.session.async_payment_succeeded', session(registered));
    await processDue();
    expect(await statusOf(registered)).toBe('PAID');
    expect(await seatsLeft(demo.url, event.id)).toBe(2);
  });

  it('an unknown reference is logged and the delivery completes: there is nothing to retry', async () => {
    const delivery = await send('checkout.session.completed', session({ id: 'unknown0', reference: 'REG-UNKNOWN00000' }));
    expect(await processDue()).toMatchObject({ processed: 1, retried: 0 });
    expect(await demo.deliveries.get(delivery.id)).toMatchObject({ status: 'processed' });
    expect(demo.logs.has('warn', 'No registration for payment.completed from stripe for reference REG-UNKNOWN00000')).toBe(true);
  });

  it('a bad signature is refused and changes nothing', async () => {
    const event = await createEvent(demo.url, { capacity: 1 });
    const registered = await register(demo.url, event.id);
    const forged = signStripe({ payload: stripeEvent('checkout.session.completed', session(registered)), secret: 'whsec_test_attacker' });
    expect((await demo.deliver('/webhooks/stripe', forged)).status).toBe(401);
    await processDue();
    expect(await statusOf(registered)).toBe('PENDING');
  });
});
