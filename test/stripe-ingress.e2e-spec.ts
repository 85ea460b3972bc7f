import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import request from 'supertest';
import { REFUSAL_CHANNEL, stripe, WebhookMonitor, type WebhookRefusal } from 'nestjs-payment-webhooks';
import { signStripe, stripeEvent } from 'nestjs-payment-webhooks/testing';
import { RecordingHandlers } from './support/recording-handlers';
import { checkoutCompleted } from './support/stripe-fixtures';
import { useWebhookApp } from './support/use-webhook-app';
import { MATRIX, type WebhookApp } from './support/webhook-app';

const SECRET = 'whsec_test_ingress';

const paidSession = (reference: string) => checkoutCompleted(reference, { payment_intent: 'pi_1' });

describe.each(MATRIX)('Stripe ingress on %s with %s', (platform, registration) => {
  const app = useWebhookApp({
    platform,
    registration,
    webhooks: { endpoints: [stripe({ secrets: [SECRET] })], worker: false, bodyLimit: 64 * 1024 },
    providers: [RecordingHandlers],
  });
  let harness: WebhookApp;
  beforeAll(() => (harness = app()));

  const post = (signed: { body: string; headers: Record<string, string> }, path = '/webhooks/stripe') =>
    request(harness.url).post(path).set(signed.headers).send(signed.body);

  it('stores a verified delivery before answering 200, then runs the handlers', async () => {
    const event = paidSession('REG-1');
    const response = await post(signStripe({ payload: event, secret: SECRET }));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ received: true, id: expect.any(String), duplicate: false });

    const stored = await harness.deliveries.get(response.body.id);
    expect(stored).toMatchObject({ provider: 'stripe', eventId: event.id, type: 'checkout.session.completed', status: 'pending', reference: 'REG-1' });
    expect(stored!.rawBody).toBe(JSON.stringify(event));

    await harness.deliveries.runOnce();
    const handlers = harness.get(RecordingHandlers);
    expect(handlers.count('completed', event.id)).toBe(1);
    expect(handlers.count('stripe-completed', event.id)).toBe(1);
    expect(await harness.deliveries.get(response.body.id)).toMatchObject({ status: 'processed' });
  });

  it('answers a duplicate with the same id and runs nothing again', async () => {
    const signed = signStripe({ payload: paidSession('REG-2'), secret: SECRET });
    const first = await post(signed);
    await harness.deliveries.runOnce();
    const second = await post(signed);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ received: true, id: first.body.id, duplicate: true });
    await harness.deliveries.runOnce();
    expect(harness.get(RecordingHandlers).count('completed', JSON.parse(signed.body).id)).toBe(1);
  });

  it('dispatches provider events to @OnProviderEvent handlers', async () => {
    const event = stripeEvent('customer.created', { id: 'cus_1', object: 'customer' });
    expect((await post(signStripe({ payload: event, secret: SECRET }))).status).toBe(200);
    await harness.deliveries.runOnce();
    expect(harness.get(RecordingHandlers).count('customer.created', event.id)).toBe(1);
  });

  describe('refuses bad deliveries with a clear 4xx and stores nothing', () => {
    const refusals: Array<[string, number, string, () => { body: string; headers: Record<string, string> }, string]> = [
      ['a wrong signature', 401, 'invalid-signature', () => signStripe({ payload: paidSession('X'), secret: 'whsec_test_wrong' }), '/webhooks/stripe'],
      ['a missing signature', 401, 'missing-header', () => ({ body: JSON.stringify(paidSession('X')), headers: { 'content-type': 'application/json' } }), '/webhooks/stripe'],
      ['a malformed signature header', 401, 'malformed-header', () => ({ body: '{}', headers: { 'content-type': 'application/json', 'stripe-signature': 'garbage' } }), '/webhooks/stripe'],
      ['a stale timestamp', 400, 'timestamp-out-of-tolerance', () => signStripe({ payload: paidSession('X'), secret: SECRET, timestamp: Math.floor(Date.now() / 1000) - 3600 }), '/webhooks/stripe'],
      ['malformed JSON, correctly signed', 400, 'invalid-payload', () => signStripe({ payload: '{"id": "evt_1", ', secret: SECRET }), '/webhooks/stripe'],
      ['an event id over 255 characters', 400, 'invalid-payload', () => signStripe({ payload: stripeEvent('x', {}, { id: 'e'.repeat(256) }), secret: SECRET }), '/webhooks/stripe'],
      ['a body over the limit', 413, 'too-large', () => signStripe({ payload: { ...paidSession('X'), pad: 'x'.repeat(70 * 1024) }, secret: SECRET }), '/webhooks/stripe'],
      ['malformed JSON, unsigned: the signature is checked first', 401, 'missing-header', () => ({ body: '{"id": ', headers: { 'content-type': 'application/json' } }), '/webhooks/stripe'],
      ['a body over the platform parser\'s own limit', 413, 'too-large', () => signStripe({ payload: { ...paidSession('X'), pad: 'x'.repeat(1536 * 1024) }, secret: SECRET }), '/webhooks/stripe'],
      ['a content type that is not JSON', 415, 'unsupported-media-type', () => withContentType(signStripe({ payload: paidSession('X'), secret: SECRET }), 'text/plain'), '/webhooks/stripe'],
      ['a +json type no parser of the app takes', 415, 'unsupported-media-type', () => withContentType(signStripe({ payload: paidSession('X'), secret: SECRET }), 'application/cloudevents+json'), '/webhooks/stripe'],
      ['a form', 415, 'unsupported-media-type', () => withContentType({ body: 'a=1', headers: {} }, 'application/x-www-form-urlencoded'), '/webhooks/stripe'],
    ];

    const observed: string[] = [];
    const diagnosed: string[] = [];
    const onDiagnostic = (message: unknown) => diagnosed.push((message as WebhookRefusal).reason);
    beforeAll(() => {
      harness.get(WebhookMonitor).refused$.subscribe((refusal) => observed.push(refusal.reason));
      subscribe(REFUSAL_CHANNEL, onDiagnostic);
    });
    afterAll(() => unsubscribe(REFUSAL_CHANNEL, onDiagnostic));

    it.each(refusals)('%s → %d %s', async (_name, status, reason, build, path) => {
      const before = (await harness.deliveries.find({ limit: 500 })).length;
      const response = await post(build(), path);
      // Published to the app and to diagnostics_channel, with its one reason.
      expect(observed.at(-1)).toBe(reason);
      expect(diagnosed.at(-1)).toBe(reason);
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toMatch(/application\/json/);
      expect(response.body).toEqual({ statusCode: status, error: expect.any(String), message: expect.any(String), reason });
      expect(JSON.stringify(response.body)).not.toMatch(/whsec_|at .*\.ts:\d+/);
      expect((await harness.deliveries.find({ limit: 500 })).length).toBe(before);
    });

    it('leaves paths it does not serve to the app: Nest\'s own 404, no refusal', async () => {
      const refusals = observed.length;
      const response = await post(signStripe({ payload: paidSession('X'), secret: SECRET }), '/webhooks/nope');
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ statusCode: 404, message: 'Cannot POST /webhooks/nope' });
      expect(observed.length).toBe(refusals);
    });

    it('answers another method with 405 and Allow', async () => {
      const response = await request(harness.url).get('/webhooks/stripe');
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(response.body).toEqual({ statusCode: 405, error: 'Method Not Allowed', message: 'This webhook endpoint accepts POST.' });
    });
  });
});

function withContentType(signed: { body: string; headers: Record<string, string> }, contentType: string) {
  return { body: signed.body, headers: { ...signed.headers, 'content-type': contentType } };
}
