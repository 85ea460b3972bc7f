import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProviderEvent } from '../events/payment-event';
import { WebhookVerificationError } from '../errors/webhook-verification.error';
import type { MvolaCallback } from '../providers/mvola/mvola-callback';
import { mvola } from '../providers/mvola/mvola.provider';
import { startFakeMvolaApi, type FakeMvolaApi } from './fake-mvola-api';

const TOKEN = 'cb-token-0123456789';

/** A bare receiver on 127.0.0.1 that runs the provider's verify + parse, as the ingress would. */
async function startReceiver(provider: ReturnType<typeof mvola>) {
  const received: ProviderEvent<MvolaCallback>[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const pathToken = /^\/webhooks\/mvola\/([^/]+)$/.exec(url.pathname)?.[1];
    const raw = {
      method: req.method ?? '',
      path: url.pathname,
      pathToken: pathToken === undefined ? undefined : decodeURIComponent(pathToken),
      headers: req.headers as Record<string, string>,
      query: Object.fromEntries(url.searchParams),
      rawBody: Buffer.concat(chunks),
      ip: '127.0.0.1',
      receivedAt: new Date('2026-11-25T12:00:00Z'),
    };
    try {
      provider.verify(raw);
      received.push(provider.parse(raw));
      res.writeHead(200).end('{"received":true}');
    } catch (error) {
      res.writeHead(error instanceof WebhookVerificationError ? 401 : 400).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/mvola`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('fake MVola API', () => {
  let fake: FakeMvolaApi;
  beforeEach(async () => {
    fake = await startFakeMvolaApi();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('listens on 127.0.0.1', () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('runs a whole payment: initiate, PUT callback to X-Callback-URL, confirm', async () => {
    const provider = mvola({
      callbackToken: TOKEN,
      api: { baseUrl: fake.url, consumerKey: fake.consumerKey, consumerSecret: fake.consumerSecret, partnerName: 'Demo', partnerMsisdn: '0343500004' },
    });
    const receiver = await startReceiver(provider);
    try {
      const { serverCorrelationId } = await provider.client.initiateMerchantPayment({
        reference: 'REG-77',
        callbackUrl: `${receiver.url}?token=${TOKEN}`,
        amount: 12000,
        phone: '0343500003',
      });
      expect(fake.payment(serverCorrelationId)).toMatchObject({ status: 'pending', callbackUrl: `${receiver.url}?token=${TOKEN}` });

      expect(await fake.callback(serverCorrelationId, 'completed')).toBe(200);
      expect(fake.payment(serverCorrelationId)?.status).toBe('completed');
      const [event] = receiver.received;
      expect(event).toMatchObject({
        id: `${serverCorrelationId}:completed`,
        payment: { type: 'payment.completed', reference: 'REG-77', customer: { phone: '0343500003' } },
      });
      expect(event.payload).toEqual(fake.callbackBody(serverCorrelationId));

      const confirmed = await provider.confirm!(event);
      expect(confirmed.payment).toMatchObject({
        type: 'payment.completed',
        transactionId: fake.payment(serverCorrelationId)!.transactionReference,
        metadata: { confirmedStatus: 'completed' },
      });
      expect(fake.tokenRequests).toBe(1);
    } finally {
      await receiver.close();
    }
  });

  it('sends the callback exactly where it was told: a wrong token is refused by the receiver', async () => {
    const provider = mvola({
      callbackToken: TOKEN,
      api: { baseUrl: fake.url, consumerKey: fake.consumerKey, consumerSecret: fake.consumerSecret, partnerName: 'Demo', partnerMsisdn: '0343500004' },
    });
    const receiver = await startReceiver(provider);
    try {
      const { serverCorrelationId } = await provider.client.initiateMerchantPayment({ reference: 'REG-78', callbackUrl: `${receiver.url}?token=stolen`, amount: 100, phone: '0343500003' });
      expect(await fake.callback(serverCorrelationId, 'failed')).toBe(401);
      expect(receiver.received).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it('lets the command line drive a callback through its control route', async () => {
    const receiver = await startReceiver(
      mvola({ callbackToken: TOKEN, api: { baseUrl: fake.url, consumerKey: 'k', consumerSecret: 's', partnerName: 'Demo', partnerMsisdn: '0343500004' } }),
    );
    try {
      const api = mvola({
        callbackToken: TOKEN,
        api: { baseUrl: fake.url, consumerKey: fake.consumerKey, consumerSecret: fake.consumerSecret, partnerName: 'Demo', partnerMsisdn: '0343500004' },
      });
      const { serverCorrelationId } = await api.client.initiateMerchantPayment({ reference: 'REG-79', callbackUrl: `${receiver.url}/${TOKEN}`, amount: 100, phone: '0343500003' });
      const answer = await fetch(`${fake.url}/_fake/payments/${serverCorrelationId}/callback`, { method: 'POST', body: '{"status":"failed"}' });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ callbackStatus: 200 });
      expect(receiver.received[0]).toMatchObject({ id: `${serverCorrelationId}:failed`, payment: { type: 'payment.failed', reference: 'REG-79' } });
      const bad = await fetch(`${fake.url}/_fake/payments/${serverCorrelationId}/callback`, { method: 'POST', body: '{"status":"paid"}' });
      expect(bad.status).toBe(400);
      await bad.arrayBuffer();
    } finally {
      await receiver.close();
    }
  });

  it('checks credentials like MVola: Basic on /token, Bearer on the API', async () => {
    const token = await fetch(`${fake.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('fake-consumer-key:wrong').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=EXT_INT_MVOLA_SCOPE',
    });
    expect(token.status).toBe(401);
    await token.arrayBuffer();
    fake.setStatus('scid-1', 'completed');
    const status = await fetch(`${fake.url}/mvola/mm/transactions/type/merchantpay/1.0.0/status/scid-1`, { headers: { authorization: 'Bearer made-up' } });
    expect(status.status).toBe(401);
    expect(await status.json()).toMatchObject({ fault: { message: 'Invalid Credentials' } });
    expect(fake.tokenRequests).toBe(1);
    expect(fake.requests.map((request) => request.status)).toEqual([401, 401]);
  });

  it('cannot call back a payment it did not start', async () => {
    fake.setStatus('scid-x', 'completed');
    expect(() => fake.callbackBody('scid-x')).toThrow('no payment scid-x was initiated');
    await expect(fake.callback('scid-x')).rejects.toThrow('no payment scid-x was initiated');
  });
});
