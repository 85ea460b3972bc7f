import request from 'supertest';
import { mvola, paystack, WebhookMonitor } from 'nestjs-payment-webhooks';
import { mvolaCallback, paystackEvent, signPaystack } from 'nestjs-payment-webhooks/testing';
import { useWebhookApp } from './support/use-webhook-app';
import { PLATFORMS, type WebhookApp } from './support/webhook-app';

const SECRET_KEY = 'sk_test_access_control';
const TOKEN = 'cb-token-current';
const charge = (reference: string) => paystackEvent('charge.success', { id: Number(reference.replace(/\D/g, '')), status: 'success', reference, amount: 500000, currency: 'NGN', metadata: 0 });

describe.each(PLATFORMS)('IP allow-lists and URL tokens on %s', (platform) => {
  describe.each([false, true])('trust proxy %s', (trustProxy) => {
    const app = useWebhookApp({
      platform,
      trustProxy,
      webhooks: {
        worker: false,
        endpoints: [
          paystack({ secretKey: SECRET_KEY, allowIps: ['52.31.139.75', '127.0.0.0/8', '::1'] }),
          paystack({ name: 'paystack-strict', secretKey: SECRET_KEY, allowIps: ['52.31.139.75'] }),
          mvola({
            callbackToken: ['cb-token-previous', TOKEN],
            api: { baseUrl: 'http://127.0.0.1:9', consumerKey: 'k', consumerSecret: 's', partnerName: 'Demo', partnerMsisdn: '0343500003' },
          }),
        ],
      },
    });
    let harness: WebhookApp;
    const reasons: string[] = [];
    const paths: string[] = [];

    beforeAll(() => {
      harness = app();
      harness.get(WebhookMonitor).refused$.subscribe((refusal) => {
        reasons.push(refusal.reason);
        paths.push(refusal.path);
      });
    });

    it('accepts an allowed address', async () => {
      const signed = signPaystack({ payload: charge(`ALLOW-${trustProxy ? 1 : 2}`), secretKey: SECRET_KEY });
      expect((await request(harness.url).post('/webhooks/paystack').set(signed.headers).send(signed.body)).status).toBe(200);
    });

    it('refuses an address outside the list with 403, before reading the signature', async () => {
      const signed = signPaystack({ payload: charge('DENY-1'), secretKey: 'sk_test_wrong' });
      const response = await request(harness.url).post('/webhooks/paystack-strict').set(signed.headers).send(signed.body);
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ statusCode: 403, reason: 'address-not-allowed' });
      expect(reasons.at(-1)).toBe('address-not-allowed');
    });

    it(`X-Forwarded-For is ${trustProxy ? 'honoured' : 'ignored'} as the app's trust proxy says`, async () => {
      const signed = signPaystack({ payload: charge(`XFF-${trustProxy ? 1 : 2}`), secretKey: SECRET_KEY });
      const response = await request(harness.url).post('/webhooks/paystack-strict').set({ ...signed.headers, 'x-forwarded-for': '52.31.139.75' }).send(signed.body);
      expect(response.status).toBe(trustProxy ? 200 : 403);
    });

    it('accepts the callback token from the query or the last path segment, old and new during rotation', async () => {
      for (const token of ['cb-token-previous', TOKEN]) {
        const callback = mvolaCallback({ token, serverCorrelationId: `scid-${token}-${trustProxy}` });
        expect((await request(harness.url).put(`/webhooks/mvola?token=${token}`).set(callback.headers).send(callback.body)).status).toBe(200);
      }
      const callback = mvolaCallback({ token: TOKEN, serverCorrelationId: `scid-path-${trustProxy}` });
      expect((await request(harness.url).put(`/webhooks/mvola/${TOKEN}`).set(callback.headers).send(callback.body)).status).toBe(200);
    });

    it.each([
      ['a wrong token', '/webhooks/mvola?token=nope'],
      ['no token', '/webhooks/mvola'],
    ])('refuses %s with 401 invalid-token', async (_name, path) => {
      const callback = mvolaCallback({ token: TOKEN });
      const response = await request(harness.url).put(path).set(callback.headers).send(callback.body);
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ statusCode: 401, reason: 'invalid-token' });
      expect(JSON.stringify(response.body)).not.toContain(TOKEN);
    });

    it.each([
      ['refused by the guard', 'text/plain', 415],
      ['refused while the body is parsed', 'application/json', 400],
    ])('keeps a valid path token out of the refusal it publishes (%s)', async (_name, contentType, status) => {
      const response = await request(harness.url).put(`/webhooks/mvola/${TOKEN}`).set('content-type', contentType).send('{"broken": ');
      expect(response.status).toBe(status);
      expect(paths.at(-1)).toBe('/webhooks/mvola/<token>');
    });
  });
});
