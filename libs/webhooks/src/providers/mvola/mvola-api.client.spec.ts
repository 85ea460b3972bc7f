import { startFakeMvolaApi, type FakeMvolaApi } from '../../testing/fake-mvola-api';
import { MvolaApiClient, type MvolaApiOptions } from './mvola-api.client';
import { MvolaApiError } from './mvola-api.error';

const NOW = new Date('2026-11-25T12:00:00Z');

describe('MvolaApiClient (against a fake MVola API on 127.0.0.1)', () => {
  let fake: FakeMvolaApi;
  beforeEach(async () => {
    fake = await startFakeMvolaApi();
  });
  afterEach(async () => {
    await fake.close();
  });

  const client = (overrides: Partial<MvolaApiOptions> = {}) =>
    new MvolaApiClient({
      baseUrl: `${fake.url}/`,
      consumerKey: fake.consumerKey,
      consumerSecret: fake.consumerSecret,
      partnerName: 'Demo Events',
      partnerMsisdn: '0343500004',
      ...overrides,
    });

  describe('initiateMerchantPayment', () => {
    it('starts a payment with the reference as X-CorrelationID and the callback URL, and returns MVola\'s id', async () => {
      const payment = await client().initiateMerchantPayment({
        reference: 'REG-9',
        callbackUrl: 'http://127.0.0.1:3000/webhooks/mvola?token=cb-token',
        amount: 5000,
        phone: '0343500003',
        description: 'Ticket: Conf #2 (early)',
        requestDate: NOW,
      });
      expect(payment).toEqual({ serverCorrelationId: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'pending' });

      const sent = fake.requests.at(-1)!;
      expect(sent).toMatchObject({ method: 'POST', path: '/mvola/mm/transactions/type/merchantpay/1.0.0/', status: 202 });
      expect(sent.headers).toMatchObject({
        authorization: expect.stringMatching(/^Bearer /),
        'x-correlationid': 'REG-9',
        'x-callback-url': 'http://127.0.0.1:3000/webhooks/mvola?token=cb-token',
        version: '1.0',
        useraccountidentifier: 'msisdn;0343500004',
        partnername: 'Demo Events',
        'content-type': 'application/json',
      });
      expect(JSON.parse(sent.body)).toEqual({
        amount: '5000',
        currency: 'Ar',
        descriptionText: 'Ticket Conf 2 early',
        requestDate: NOW.toISOString(),
        debitParty: [{ key: 'msisdn', value: '0343500003' }],
        creditParty: [{ key: 'msisdn', value: '0343500004' }],
        metadata: [
          { key: 'partnerName', value: 'Demo Events' },
          { key: 'fc', value: 'USD' },
          { key: 'amountFc', value: '1' },
        ],
        requestingOrganisationTransactionReference: 'REG-9',
      });
      expect(fake.payment(payment.serverCorrelationId)).toMatchObject({ reference: 'REG-9', status: 'pending', amount: '5000', phone: '0343500003' });
    });

    it('refuses an amount that is not a whole positive number of Ariary, before calling MVola', async () => {
      for (const amount of [10.5, '0', '-3', 'abc']) {
        const failure = client().initiateMerchantPayment({ reference: 'R', callbackUrl: 'http://127.0.0.1/cb', amount, phone: '0343500003' });
        await expect(failure).rejects.toMatchObject({ name: 'MvolaApiError', failure: 'invalid-request' });
      }
      expect(fake.requests).toEqual([]);
    });

    it('reports MVola\'s own error description', async () => {
      const failure = client({ partnerMsisdn: '' }).initiateMerchantPayment({ reference: 'R', callbackUrl: 'http://127.0.0.1/cb', amount: 100, phone: '0343500003' });
      await expect(failure).rejects.toThrow('MVola merchant payment R: MVola answered 400: Missing field: creditParty msisdn.');
    });
  });

  describe('access token', () => {
    it('is cached until shortly before it expires, then renewed', async () => {
      let now = NOW.getTime();
      const api = client({ clock: () => new Date(now) });
      fake.setStatus('scid-1', 'completed');
      await api.transactionStatus('scid-1');
      now += 3540_000 - 1; // just before expiry minus the renewal margin
      await api.transactionStatus('scid-1');
      expect(fake.tokenRequests).toBe(1);
      now += 1;
      await api.transactionStatus('scid-1');
      expect(fake.tokenRequests).toBe(2);
    });

    it('is requested once for concurrent calls', async () => {
      const api = client();
      fake.setStatus('scid-1', 'pending');
      await Promise.all([api.transactionStatus('scid-1'), api.transactionStatus('scid-1'), api.transactionStatus('scid-1')]);
      expect(fake.tokenRequests).toBe(1);
    });

    it('is refused with wrong credentials, saying which options to check and never the secret', async () => {
      const failure = client({ consumerSecret: 'not-the-secret' }).accessToken();
      await expect(failure).rejects.toBeInstanceOf(MvolaApiError);
      await failure.catch((error: MvolaApiError) => {
        expect(error).toMatchObject({ failure: 'unauthorized', status: 401 });
        expect(error.message).toBe(
          'MVola access token request: MVola refused the credentials (401: Client Authentication failed.); check api.consumerKey and api.consumerSecret.',
        );
      });
    });
  });

  describe('transactionStatus', () => {
    it('returns MVola\'s status, with the transaction reference once completed', async () => {
      const api = client();
      fake.setStatus('scid-2', 'pending');
      expect(await api.transactionStatus('scid-2')).toEqual({ status: 'pending', serverCorrelationId: 'scid-2', notificationMethod: 'polling' });
      fake.setStatus('scid-2', 'completed');
      expect(await api.transactionStatus('scid-2')).toEqual({
        status: 'completed',
        serverCorrelationId: 'scid-2',
        notificationMethod: 'polling',
        objectReference: fake.payment('scid-2')!.transactionReference,
      });
    });

    it('classifies failures', async () => {
      const api = client({ timeoutMs: 100 });
      await expect(api.transactionStatus('nope')).rejects.toMatchObject({ failure: 'http', status: 404 });
      fake.setDown(true);
      await expect(api.transactionStatus('nope')).rejects.toMatchObject({ failure: 'http', status: 503 });
      fake.setDown(false);
      fake.revokeTokens();
      await expect(api.transactionStatus('nope')).rejects.toMatchObject({ failure: 'unauthorized', status: 401 });
      fake.setDelay(1000);
      await expect(api.transactionStatus('nope')).rejects.toMatchObject({ failure: 'timeout' });
    });
  });
});
