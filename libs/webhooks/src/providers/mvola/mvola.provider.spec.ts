import { ConfirmationUnavailableError } from '../../errors/confirmation-unavailable.error';
import { WebhookPayloadError } from '../../errors/webhook-payload.error';
import { startFakeMvolaApi, type FakeMvolaApi } from '../../testing/fake-mvola-api';
import { mvolaCallback, type MvolaCallbackOptions, type MvolaCallbackRequest } from '../../testing/mvola-callback';
import { rawRequest, refusal } from '../provider-helpers.for-spec';
import { mvola, type MvolaProviderOptions } from './mvola.provider';

const NOW = new Date('2026-11-25T12:00:00Z');
const TOKEN = 'cb-token-new-0123456789';
const OLD_TOKEN = 'cb-token-old-9876543210';
const API = { baseUrl: 'http://127.0.0.1:9', consumerKey: 'fake-consumer-key', consumerSecret: 'fake-consumer-secret', partnerName: 'Demo Events', partnerMsisdn: '0343500004' };

const request = (callback: MvolaCallbackRequest, receivedAt = NOW) => rawRequest(callback, { receivedAt });

function provider(overrides: Partial<MvolaProviderOptions> = {}) {
  return mvola({ callbackToken: TOKEN, api: API, ...overrides });
}

const callback = (options: Partial<MvolaCallbackOptions> = {}) => mvolaCallback({ token: TOKEN, requestDate: NOW, ...options });

describe('mvola provider', () => {
  it('is called back with PUT (and POST), on its name or its own path', () => {
    const endpoint = provider({ name: 'mvola-mg', path: '/api/mvola/callback' });
    expect(endpoint).toMatchObject({ name: 'mvola-mg', methods: ['PUT', 'POST'], paths: ['/api/mvola/callback'] });
  });

  describe('verify', () => {
    it('accepts the token from the query or from the last path segment', () => {
      expect(provider().verify(request(callback()))).toEqual({ secretIndex: 0 });
      expect(provider().verify(request(callback({ tokenIn: 'path' })))).toEqual({ secretIndex: 0 });
    });

    it('refuses a wrong token without echoing either token', () => {
      const refused = refusal(() => provider().verify(request(callback({ token: 'cb-token-guessed' }))));
      expect(refused.reason).toBe('invalid-token');
      expect(refused.message).not.toContain('cb-token');
      expect(refusal(() => provider().verify(request(callback({ token: `${TOKEN}x` })))).reason).toBe('invalid-token');
      expect(refusal(() => provider().verify(request(callback({ token: TOKEN.slice(0, -1) })))).reason).toBe('invalid-token');
    });

    it('refuses a callback URL without a token, saying where the token goes', () => {
      const bare = { ...callback(), query: {}, pathToken: undefined };
      const refused = refusal(() => provider().verify(request(bare)));
      expect(refused).toEqual({ reason: 'invalid-token', message: expect.stringContaining('?token=') });
      expect(refusal(() => provider().verify(request({ ...bare, query: { token: '' } }))).reason).toBe('invalid-token');
    });

    it('accepts every configured token during a rotation and says which one matched', () => {
      const rotating = provider({ callbackToken: [OLD_TOKEN, TOKEN] });
      expect(rotating.verify(request(callback({ token: OLD_TOKEN })))).toEqual({ secretIndex: 0 });
      expect(rotating.verify(request(callback({ token: TOKEN })))).toEqual({ secretIndex: 1 });
    });

    it('stops accepting a token after its notAfter', () => {
      const rotating = provider({ callbackToken: [{ secret: OLD_TOKEN, notAfter: '2026-11-25T11:00:00Z' }, TOKEN] });
      expect(refusal(() => rotating.verify(request(callback({ token: OLD_TOKEN }))))).toMatchObject({ reason: 'invalid-token' });
      expect(rotating.verify(request(callback({ token: OLD_TOKEN }), new Date('2026-11-25T10:59:00Z')))).toEqual({ secretIndex: 0 });
      expect(rotating.verify(request(callback({ token: TOKEN })))).toEqual({ secretIndex: 1 });
    });
  });

  describe('validate', () => {
    it('accepts complete options', () => {
      expect(provider({ callbackToken: [OLD_TOKEN, TOKEN] }).validate!()).toEqual([]);
    });

    it('names each problem by its option path, never its value', () => {
      const problems = mvola({
        callbackToken: ['', 'has/slash+plus', ' padded'],
        api: { ...API, baseUrl: 'devapi.mvola.mg', consumerSecret: '', partnerMsisdn: ' 0343500004', timeoutMs: 0 },
      }).validate!();
      expect(problems).toEqual([
        'callbackToken[0]: the secret is empty',
        expect.stringMatching(/^callbackToken\[2\]: the secret has surrounding whitespace/),
        expect.stringMatching(/^callbackToken\[1\]: use only A-Z a-z 0-9/),
        expect.stringMatching(/^api\.baseUrl: must be an http\(s\) URL/),
        'api.consumerSecret: is empty',
        'api.partnerMsisdn: has surrounding whitespace; remove it',
        'api.timeoutMs: must be a positive number of milliseconds',
      ]);
      expect(problems.join('\n')).not.toContain('has/slash+plus');
      expect(mvola({ callbackToken: '', api: API }).validate!()).toEqual(['callbackToken: the secret is empty']);
    });

    it('reports missing api options instead of failing at construction', () => {
      const options = { callbackToken: TOKEN } as unknown as MvolaProviderOptions;
      expect(mvola(options).validate!()).toEqual([expect.stringMatching(/^api: MVola API options are required/)]);
    });
  });

  describe('parse', () => {
    const parse = (options: Partial<MvolaCallbackOptions>) => provider().parse(request(callback(options)));

    it('normalizes the callback MVola sends (captured shape)', () => {
      const event = parse({ serverCorrelationId: 'scid-1', status: 'completed', reference: 'REG-42', transactionReference: '641235', phone: '0343500003' });
      expect(event).toEqual({
        provider: 'mvola',
        id: 'scid-1:completed',
        type: 'completed',
        occurredAt: NOW,
        payload: {
          transactionStatus: 'completed',
          serverCorrelationId: 'scid-1',
          transactionReference: '641235',
          requestDate: NOW.toISOString(),
          debitParty: [{ key: 'msisdn', value: '0343500003' }],
          creditParty: [{ key: 'msisdn', value: '0343500004' }],
          fees: [{ feeAmount: '0' }],
          metadata: [{ key: 'XCorrelationId', value: 'REG-42' }],
        },
        payment: {
          type: 'payment.completed',
          provider: 'mvola',
          reference: 'REG-42',
          transactionId: '641235',
          metadata: { XCorrelationId: 'REG-42', serverCorrelationId: 'scid-1', callbackStatus: 'completed' },
          customer: { phone: '0343500003' },
        },
      });
    });

    it("normalizes the guide's variant, with a string amount in Ariary", () => {
      const event = provider().parse(
        request(callback({ body: { transactionId: 'tx-7', status: 'completed', amount: '15000', currency: 'Ar', externalId: 'REG-7', requestDate: NOW.toISOString() } })),
      );
      expect(event).toEqual({
        provider: 'mvola',
        id: 'tx-7:completed',
        type: 'completed',
        occurredAt: NOW,
        payload: { transactionId: 'tx-7', status: 'completed', amount: '15000', currency: 'Ar', externalId: 'REG-7', requestDate: NOW.toISOString() },
        payment: {
          type: 'payment.completed',
          provider: 'mvola',
          reference: 'REG-7',
          transactionId: 'tx-7',
          amountMinor: 15000,
          currency: 'MGA',
          metadata: { callbackStatus: 'completed' },
        },
      });
    });

    it.each([
      ['completed', 'payment.completed'],
      ['failed', 'payment.failed'],
      ['rejected', 'payment.failed'],
      ['cancelled', 'payment.cancelled'],
      ['pending', 'payment.pending'],
      ['COMPLETED', 'payment.completed'],
    ])('%s → %s, deduped per status', (status, expected) => {
      for (const shape of ['captured', 'guide'] as const) {
        const event = parse({ shape, status, serverCorrelationId: 'scid-2' });
        expect(event.payment?.type).toBe(expected);
        expect(event.id).toBe(`scid-2:${status.toLowerCase()}`);
      }
    });

    it('keeps a callback with an unknown status or no reference, without a payment view', () => {
      expect(parse({ status: 'ambiguous', serverCorrelationId: 'scid-3' })).toMatchObject({ id: 'scid-3:ambiguous', type: 'ambiguous', payment: undefined });
      const noReference = callback({ body: { transactionStatus: 'completed', serverCorrelationId: 'scid-4', metadata: [] } });
      expect(provider().parse(request(noReference)).payment).toBeUndefined();
    });

    it('finds the reference whatever the spelling of the XCorrelationId key', () => {
      const body = { transactionStatus: 'completed', serverCorrelationId: 'scid-5', metadata: [{ key: 'partnerName', value: 'Demo' }, { key: 'X-CorrelationID', value: 'REG-5' }] };
      expect(provider().parse(request(callback({ body }))).payment?.reference).toBe('REG-5');
    });

    it('refuses a body that is not an MVola callback', () => {
      const bad = (body: unknown) => () => provider().parse(request(callback({ body })));
      expect(bad('{not json')).toThrow(WebhookPayloadError);
      expect(bad('{not json')).toThrow('not valid JSON');
      expect(bad([1, 2])).toThrow('must be a JSON object');
      expect(bad({ transactionStatus: 'completed' })).toThrow('"serverCorrelationId"');
      expect(bad({ status: 'completed', amount: 10 })).toThrow('"transactionId"');
      expect(bad({ transactionId: 'tx', status: 'completed', amount: 'ten' })).toThrow('amount must be a decimal number');
      expect(bad({ transactionStatus: 'completed', serverCorrelationId: 's', debitParty: 'x' })).toThrow('"debitParty" must be a list');
      expect(bad({ transactionStatus: 'completed', serverCorrelationId: 's'.repeat(201) })).toThrow('longer than 200');
    });
  });

  describe('confirm (against a fake MVola API on 127.0.0.1)', () => {
    let fake: FakeMvolaApi;
    beforeEach(async () => {
      fake = await startFakeMvolaApi();
    });
    afterEach(async () => {
      await fake.close();
    });

    const live = (overrides: Partial<MvolaProviderOptions['api']> = {}) => provider({ api: { ...API, baseUrl: fake.url, ...overrides } });
    const eventFor = (endpoint: ReturnType<typeof provider>, options: Partial<MvolaCallbackOptions>) => endpoint.parse(request(callback(options)));

    it('takes the status from MVola, with its transaction reference, asking as the API requires', async () => {
      const endpoint = live();
      fake.setStatus('scid-ok', 'completed');
      const confirmed = await endpoint.confirm!(eventFor(endpoint, { serverCorrelationId: 'scid-ok', reference: 'REG-1', transactionReference: '111', phone: '0343500003' }));
      expect(confirmed.payment).toEqual({
        type: 'payment.completed',
        provider: 'mvola',
        reference: 'REG-1',
        transactionId: fake.payment('scid-ok')!.transactionReference,
        metadata: { XCorrelationId: 'REG-1', serverCorrelationId: 'scid-ok', callbackStatus: 'completed', confirmedStatus: 'completed' },
        customer: { phone: '0343500003' },
      });
      expect(confirmed.id).toBe('scid-ok:completed');

      const [token, status] = fake.requests;
      expect(token).toMatchObject({ method: 'POST', path: '/token', status: 200 });
      expect(token.headers.authorization).toBe(`Basic ${Buffer.from('fake-consumer-key:fake-consumer-secret').toString('base64')}`);
      expect(token.body).toBe('grant_type=client_credentials&scope=EXT_INT_MVOLA_SCOPE');
      expect(status).toMatchObject({ method: 'GET', path: '/mvola/mm/transactions/type/merchantpay/1.0.0/status/scid-ok', status: 200 });
      expect(status.headers).toMatchObject({
        authorization: expect.stringMatching(/^Bearer [0-9a-f]{32}$/),
        version: '1.0',
        'x-correlationid': expect.stringMatching(/^[0-9a-f-]{36}$/),
        userlanguage: 'FR',
        useraccountidentifier: 'msisdn;0343500004',
        partnername: 'Demo Events',
        'cache-control': 'no-cache',
      });
    });

    it('believes MVola, not the callback: a "completed" callback MVola reports failed is a failure', async () => {
      const endpoint = live();
      fake.setStatus('scid-forged', 'failed');
      const confirmed = await endpoint.confirm!(eventFor(endpoint, { serverCorrelationId: 'scid-forged', status: 'completed', transactionReference: '222' }));
      expect(confirmed.payment).toMatchObject({ type: 'payment.failed', transactionId: '222', metadata: { callbackStatus: 'completed', confirmedStatus: 'failed' } });
    });

    it('a pending confirmation is payment.pending', async () => {
      const endpoint = live();
      fake.setStatus('scid-wait', 'pending');
      const confirmed = await endpoint.confirm!(eventFor(endpoint, { serverCorrelationId: 'scid-wait' }));
      expect(confirmed.payment).toMatchObject({ type: 'payment.pending', metadata: { confirmedStatus: 'pending' } });
    });

    it("confirms the guide's variant by its transactionId", async () => {
      const endpoint = live();
      fake.setStatus('tx-guide', 'completed');
      const confirmed = await endpoint.confirm!(eventFor(endpoint, { shape: 'guide', serverCorrelationId: 'tx-guide', amount: '2500', reference: 'REG-G' }));
      expect(confirmed.payment).toMatchObject({ type: 'payment.completed', reference: 'REG-G', amountMinor: 2500, currency: 'MGA' });
      expect(fake.requests.at(-1)?.path).toBe('/mvola/mm/transactions/type/merchantpay/1.0.0/status/tx-guide');
    });

    it('is unavailable while MVola is down, and succeeds once it is back', async () => {
      const endpoint = live();
      fake.setStatus('scid-down', 'completed');
      const event = eventFor(endpoint, { serverCorrelationId: 'scid-down' });
      fake.setDown(true);
      await expect(endpoint.confirm!(event)).rejects.toThrow(ConfirmationUnavailableError);
      await expect(endpoint.confirm!(event)).rejects.toThrow(/503/);
      fake.setDown(false);
      await expect(endpoint.confirm!(event)).resolves.toMatchObject({ payment: { type: 'payment.completed' } });
    });

    it('reuses the access token across confirmations', async () => {
      const endpoint = live();
      fake.setStatus('scid-a', 'completed');
      fake.setStatus('scid-b', 'failed');
      await endpoint.confirm!(eventFor(endpoint, { serverCorrelationId: 'scid-a' }));
      await endpoint.confirm!(eventFor(endpoint, { serverCorrelationId: 'scid-b' }));
      expect(fake.tokenRequests).toBe(1);
    });

    it('after a 401, is unavailable once, then asks for a new token and succeeds', async () => {
      const endpoint = live();
      fake.setStatus('scid-401', 'completed');
      const event = eventFor(endpoint, { serverCorrelationId: 'scid-401' });
      await endpoint.confirm!(event);
      fake.revokeTokens();
      await expect(endpoint.confirm!(event)).rejects.toThrow(ConfirmationUnavailableError);
      expect(fake.tokenRequests).toBe(1);
      await expect(endpoint.confirm!(event)).resolves.toMatchObject({ payment: { type: 'payment.completed' } });
      expect(fake.tokenRequests).toBe(2);
    });

    it('is unavailable, without leaking the secret, when MVola refuses the consumer credentials', async () => {
      const endpoint = live({ consumerSecret: 'wrong-secret-value' });
      fake.setStatus('scid-creds', 'completed');
      const failure = endpoint.confirm!(eventFor(endpoint, { serverCorrelationId: 'scid-creds' }));
      await expect(failure).rejects.toThrow(ConfirmationUnavailableError);
      await expect(failure).rejects.toThrow(/check api\.consumerKey and api\.consumerSecret/);
      await failure.catch((error: Error) => expect(error.message).not.toContain('wrong-secret-value'));
    });

    it('is unavailable when MVola does not know the transaction', async () => {
      const endpoint = live();
      await expect(endpoint.confirm!(eventFor(endpoint, { serverCorrelationId: 'scid-unknown' }))).rejects.toThrow(/answered 404: Transaction not found/);
    });

    it('is unavailable when MVola is too slow', async () => {
      const endpoint = live({ timeoutMs: 100 });
      fake.setStatus('scid-slow', 'completed');
      fake.setDelay(1000);
      await expect(endpoint.confirm!(eventFor(endpoint, { serverCorrelationId: 'scid-slow' }))).rejects.toThrow(/no answer from MVola within 100 ms/);
    });

    it('is unavailable when MVola cannot be reached', async () => {
      const gone = await startFakeMvolaApi();
      const url = gone.url;
      await gone.close();
      const endpoint = provider({ api: { ...API, baseUrl: url } });
      const failure = endpoint.confirm!(eventFor(endpoint, { serverCorrelationId: 'scid-gone' }));
      await expect(failure).rejects.toThrow(ConfirmationUnavailableError);
      await expect(failure).rejects.toThrow(/could not be reached/);
    });
  });
});
