import request from 'supertest';
import { stripe } from 'nestjs-payment-webhooks';
import { signStripe } from 'nestjs-payment-webhooks/testing';
import { RecordingHandlers } from './support/recording-handlers';
import { checkoutCompleted } from './support/stripe-fixtures';
import { createTestDatabase } from './support/test-database';
import { useWebhookApp } from './support/use-webhook-app';
import { MATRIX, startWebhookApp, type WebhookApp } from './support/webhook-app';

const SECRET = 'whsec_test_admin';
const TOKEN = 'admin-token-for-tests';

describe.each(MATRIX)('Admin API on %s with %s', (platform, registration) => {
  const app = useWebhookApp({
    platform,
    registration,
    extras: { adminPath: 'ops/webhooks' },
    webhooks: { endpoints: [stripe({ secrets: [SECRET] })], worker: false, maxAttempts: 1, adminToken: ['admin-token-previous', TOKEN] },
    providers: [RecordingHandlers],
  });
  let harness: WebhookApp;
  let deliveryId: string;

  beforeAll(async () => {
    harness = app();
    harness.get(RecordingHandlers).failCompleted = 1;
    const signed = signStripe({ secret: SECRET, payload: checkoutCompleted('ADMIN-1') });
    deliveryId = (await request(harness.url).post('/webhooks/stripe').set(signed.headers).send(signed.body)).body.id;
    await harness.deliveries.runOnce();
  });

  const admin = () => ({ authorization: `Bearer ${TOKEN}` });

  it('refuses requests without the token, or with a wrong one', async () => {
    expect((await request(harness.url).get('/ops/webhooks/deliveries')).status).toBe(401);
    const wrong = await request(harness.url).get('/ops/webhooks/deliveries').set({ authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toBe('The admin token is not valid.');
  });

  it('lists dead deliveries, shows one with its handler outcomes, replays it', async () => {
    const dead = await request(harness.url).get('/ops/webhooks/deliveries?status=dead&limit=10').set(admin());
    expect(dead.status).toBe(200);
    expect(dead.body.map((d: { id: string }) => d.id)).toEqual([deliveryId]);

    const one = await request(harness.url).get(`/ops/webhooks/deliveries/${deliveryId}`).set({ authorization: `bearer admin-token-previous` });
    expect(one.body).toMatchObject({ id: deliveryId, status: 'dead', handlers: expect.arrayContaining([expect.objectContaining({ handler: 'RecordingHandlers.onCompleted', status: 'failed' })]) });

    const replay = await request(harness.url).post(`/ops/webhooks/deliveries/${deliveryId}/replay`).set(admin());
    expect(replay.status).toBe(202);
    await harness.deliveries.runOnce();
    expect(await harness.deliveries.get(deliveryId)).toMatchObject({ status: 'processed' });
  });

  it('validates its input: 400 for a bad filter, 404 for an unknown delivery', async () => {
    const bad = await request(harness.url).get('/ops/webhooks/deliveries?status=lost&limit=0').set(admin());
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual(expect.arrayContaining([expect.stringContaining('status must be one of'), expect.stringContaining('limit must not be less than 1')]));
    expect((await request(harness.url).post('/ops/webhooks/deliveries/00000000-0000-4000-8000-000000000000/replay').set(admin())).status).toBe(404);
  });

  it('serves the backlog, dead letters and the age of the oldest unprocessed delivery', async () => {
    const stats = await request(harness.url).get('/ops/webhooks/stats').set(admin());
    expect(stats.status).toBe(200);
    expect(stats.body).toEqual({ counts: expect.objectContaining({ processed: 1 }), backlog: 0, dead: 0, oldestUnprocessedAgeMs: 0 });
  });

  it('serves refusal and lease counters', async () => {
    await request(harness.url).post('/webhooks/stripe').set({ 'content-type': 'application/json' }).send('{}');
    const metrics = await request(harness.url).get('/ops/webhooks/metrics').set(admin());
    expect(metrics.body).toEqual({ refused: { 'missing-header': 1 }, leaseLost: 0 });
  });
});

describe('Admin API without a sound token', () => {
  it('refuses to start with a short token', async () => {
    const database = await createTestDatabase();
    await expect(
      startWebhookApp({ platform: 'express', database, extras: { adminPath: 'ops' }, webhooks: { endpoints: [stripe({ secrets: [SECRET] })], adminToken: 'short' } }),
    ).rejects.toThrow('adminToken[0]: at least 16 characters');
    await database.drop();
  });

  it('refuses to start without one', async () => {
    const database = await createTestDatabase();
    await expect(startWebhookApp({ platform: 'express', database, extras: { adminPath: 'ops' }, webhooks: { endpoints: [stripe({ secrets: [SECRET] })] } })).rejects.toThrow(
      'adminToken: the admin API at /ops needs a token',
    );
    await database.drop();
  });
});
