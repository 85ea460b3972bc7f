import { Writable } from 'node:stream';
import request from 'supertest';
import { mvolaCallback, signStripe } from 'nestjs-payment-webhooks/testing';
import { checkoutCompleted } from '../support/stripe-fixtures';
import { createEvent, register, SECRETS, startDemo, type DemoHarness } from './support/demo-app';

/** Every JSON line the demo's pino logger writes. */
class JsonLines extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly text: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      this.text.push(line);
      this.lines.push(JSON.parse(line));
    }
    done();
  }
}

describe('demo: JSON logs (nestjs-pino)', () => {
  const out = new JsonLines();
  let demo: DemoHarness;
  beforeAll(async () => {
    demo = await startDemo(SECRETS, { level: 'info', destination: out });
  });
  afterAll(() => demo?.close());

  it('one line per delivery outcome (endpoint, type, delivery id, outcome, duration), one per request to the other routes', async () => {
    const event = await createEvent(demo.url, { priceMinor: 2500, currency: 'EUR' });
    const registered = await register(demo.url, event.id, { provider: 'stripe' });
    const signed = signStripe({ payload: checkoutCompleted(registered.reference), secret: SECRETS.STRIPE_WEBHOOK_SECRET.split(',')[0] });
    const { body } = await demo.deliver('/webhooks/stripe', signed);
    await demo.deliveries.runOnce();
    expect((await demo.deliver('/webhooks/stripe', signed)).body).toMatchObject({ id: body.id, duplicate: true });

    // At info, a delivery is one line when processed (stored is debug), and a redelivery one more.
    const outcomes = out.lines.filter((line) => line.context === 'Deliveries' && line.deliveryId === body.id);
    expect(outcomes).toEqual([
      expect.objectContaining({ level: 30, endpoint: 'stripe', type: 'checkout.session.completed', outcome: 'processed', durationMs: expect.any(Number), attempt: 1 }),
      expect.objectContaining({ level: 30, endpoint: 'stripe', type: 'checkout.session.completed', outcome: 'duplicate', durationMs: expect.any(Number) }),
    ]);
    const requestLines = out.lines.filter((line) => line.req !== undefined && line.res !== undefined);
    expect(requestLines.find((line) => (line.req as { url?: string }).url === `/events/${event.id}/registrations`)).toMatchObject({
      req: { method: 'POST', headers: { 'content-type': 'application/json' } },
      res: { statusCode: 201 },
      responseTime: expect.any(Number),
    });
    // The delivery's own lines say what its request lines would.
    expect(requestLines.filter((line) => (line.req as { url?: string }).url?.startsWith('/webhooks/'))).toEqual([]);
  });

  it('never writes a signature, a token, a secret or an authorization header', async () => {
    const stripeSecret = SECRETS.STRIPE_WEBHOOK_SECRET.split(',')[0];
    const signed = signStripe({ payload: checkoutCompleted('LOGS-2'), secret: stripeSecret });
    await request(demo.url).post('/webhooks/stripe').set(signed.headers).set('authorization', 'Bearer sk_live_do_not_log').set('cookie', 'session=do_not_log').send(signed.body);
    const forged = signStripe({ payload: checkoutCompleted('LOGS-3'), secret: 'whsec_test_wrong' });
    expect((await demo.deliver('/webhooks/stripe', forged)).status).toBe(401);
    for (const tokenIn of ['query', 'path'] as const) {
      const callback = mvolaCallback({ token: SECRETS.MVOLA_CALLBACK_TOKEN, tokenIn, serverCorrelationId: 'log-1', reference: 'REG-LOG' });
      await request(demo.url).put(callback.url).set(callback.headers).send(callback.body);
    }

    // Outside the endpoints (whose requests get no line of their own), a URL token is masked too.
    await request(demo.url).get(`/events?token=${SECRETS.MVOLA_CALLBACK_TOKEN}`);

    const all = out.text.join('\n');
    const signatures = [signed.headers['stripe-signature'], forged.headers['stripe-signature']];
    for (const secret of [stripeSecret, SECRETS.MVOLA_CALLBACK_TOKEN, 'sk_live_do_not_log', 'session=do_not_log', ...signatures]) expect(all).not.toContain(secret);
    expect(out.lines.some((line) => line.outcome === 'refused' && line.reason === 'invalid-signature')).toBe(true);
    expect(all).toContain('token=[redacted]');
  });
});
