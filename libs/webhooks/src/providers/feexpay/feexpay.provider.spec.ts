import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfirmationUnavailableError } from '../../errors/confirmation-unavailable.error';
import { WebhookPayloadError } from '../../errors/webhook-payload.error';
import { feexpayEvent, signFeexpay } from '../../testing/sign-feexpay';
import { rawRequest, refusalReason, unsigned, type SpecDelivery } from '../provider-helpers.for-spec';
import { feexpay } from './feexpay.provider';

const NOW = new Date('2026-11-25T12:00:00Z');
const OLD_SECRET = 'feexpay_old_secret_123';
const NEW_SECRET = 'feexpay_new_secret_456';
const TOKEN = 'fp_api_token_do_not_leak';

const request = (signed: SpecDelivery, receivedAt = NOW) => rawRequest(signed, { path: '/webhooks/feexpay', receivedAt });

describe('feexpay provider', () => {
  const provider = feexpay({ secrets: [NEW_SECRET] });
  const delivery = feexpayEvent('payment.completed', { transaction_id: 'txn_81', reference: 'ORDER-81', amount: 15000, metadata: { cart: 'c1' } });

  describe('verify', () => {
    it('accepts the HMAC-SHA256 hex of the raw body', () => {
      expect(provider.verify(request(signFeexpay({ payload: delivery, secret: NEW_SECRET })))).toEqual({ secretIndex: 0 });
    });

    it('refuses a wrong secret, a tampered body, a missing or malformed header', () => {
      expect(refusalReason(() => provider.verify(request(signFeexpay({ payload: delivery, secret: 'wrong' }))))).toBe('invalid-signature');
      const good = signFeexpay({ payload: delivery, secret: NEW_SECRET });
      expect(refusalReason(() => provider.verify(request({ ...good, body: good.body.replace('15000', '15001') })))).toBe('invalid-signature');
      expect(refusalReason(() => provider.verify(request({ ...good, headers: {} })))).toBe('missing-header');
      expect(refusalReason(() => provider.verify(request({ ...good, headers: { 'x-feexpay-signature': 'sha256=zz' } })))).toBe('malformed-header');
    });

    it('accepts the old and the new secret while rotating, until the old one expires', () => {
      const rotating = feexpay({ secrets: [{ secret: OLD_SECRET, notAfter: '2026-11-25T11:00:00Z' }, NEW_SECRET] });
      const old = signFeexpay({ payload: delivery, secret: OLD_SECRET });
      expect(rotating.verify(request(old, new Date('2026-11-25T10:00:00Z')))).toEqual({ secretIndex: 0 });
      expect(rotating.verify(request(signFeexpay({ payload: delivery, secret: NEW_SECRET })))).toEqual({ secretIndex: 1 });
      expect(refusalReason(() => rotating.verify(request(old)))).toBe('invalid-signature');
    });

    it('follows another header name and algorithm when the guide changes', () => {
      const custom = feexpay({ secrets: [NEW_SECRET], signatureHeader: 'X-Signature', algorithm: 'sha512' });
      const body = JSON.stringify(delivery);
      const sha512 = createHmac('sha512', NEW_SECRET).update(body).digest('hex');
      expect(custom.verify(request({ body, headers: { 'x-signature': sha512 } }))).toEqual({ secretIndex: 0 });
      expect(refusalReason(() => custom.verify(request(signFeexpay({ payload: delivery, secret: NEW_SECRET }))))).toBe('missing-header');
      expect(refusalReason(() => custom.verify(request({ body, headers: { 'x-signature': createHmac('sha256', NEW_SECRET).update(body).digest('hex') } })))).toBe('malformed-header');
    });
  });

  describe('validate', () => {
    it('names bad secrets and confirm options, never their values', () => {
      expect(provider.validate!()).toEqual([]);
      expect(feexpay({ secrets: [] }).validate!()).toEqual(['secrets: at least one secret is required']);
      const problems = feexpay({ secrets: [NEW_SECRET, ''], confirm: { baseUrl: 'not a url', token: ` ${TOKEN}` } }).validate!();
      expect(problems).toEqual([
        'secrets[1]: the secret is empty',
        'confirm.baseUrl: not a valid URL; give the API origin, e.g. https://api.feexpay.me',
        'confirm.token: the token has surrounding whitespace; remove it',
      ]);
      expect(feexpay({ secrets: [NEW_SECRET], confirm: { baseUrl: 'ftp://x', token: '' } }).validate!()).toEqual([
        'confirm.baseUrl: must be an http(s) URL',
        'confirm.token: the API token is empty',
      ]);
      expect(problems.join('\n')).not.toContain(TOKEN);
    });
  });

  describe('parse and normalize', () => {
    const parse = (body: unknown) => provider.parse(request(unsigned(body)));

    it('payment.completed → payment.completed, FCFA read as XOF', () => {
      expect(parse(delivery)).toEqual({
        provider: 'feexpay',
        id: 'txn_81:payment.completed',
        type: 'payment.completed',
        payload: delivery,
        occurredAt: NOW,
        payment: {
          type: 'payment.completed',
          provider: 'feexpay',
          reference: 'ORDER-81',
          transactionId: 'txn_81',
          amountMinor: 15000,
          currency: 'XOF',
          metadata: { cart: 'c1', operator: 'mtn_ci' },
        },
      });
    });

    it.each([
      ['payment.failed', 'payment.failed'],
      ['payment.pending', 'payment.pending'],
      ['refund.issued', 'payment.refunded'],
    ])('%s → %s', (eventType, expected) => {
      const event = parse(feexpayEvent(eventType, { transaction_id: 'txn_9', amount: '2500', metadata: null, provider: undefined }));
      expect(event.id).toBe(`txn_9:${eventType}`);
      expect(event.payment).toEqual({ type: expected, provider: 'feexpay', reference: 'ORDER-1', transactionId: 'txn_9', amountMinor: 2500, currency: 'XOF', metadata: {} });
    });

    it('reads unix timestamps too, and keeps unknown event types without a payment view', () => {
      expect(parse(feexpayEvent('payment.completed', { timestamp: 1795608000 as unknown as string })).occurredAt).toEqual(new Date(1795608000 * 1000));
      expect(parse(feexpayEvent('payout.sent'))).toMatchObject({ type: 'payout.sent', payment: undefined });
    });

    it('refuses a fractional FCFA amount and bodies that are not FeexPay deliveries', () => {
      expect(() => parse(feexpayEvent('payment.completed', { amount: '100.5' }))).toThrow(WebhookPayloadError);
      expect(() => parse('{not json')).toThrow(new WebhookPayloadError('The body is not valid JSON.'));
      expect(() => parse('"payment.completed"')).toThrow(new WebhookPayloadError('A FeexPay delivery must be a JSON object.'));
      expect(() => parse({ transaction_id: 't' })).toThrow('"event_type"');
      expect(() => parse({ event_type: 'payment.completed' })).toThrow('"transaction_id"');
    });
  });

  describe('confirm (against a local HTTP server)', () => {
    let server: Server;
    let baseUrl: string;
    let answer: { status: number; body: string };
    let seen: IncomingMessage[];

    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push(req);
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    beforeEach(() => {
      seen = [];
    });

    const confirming = () => feexpay({ secrets: [NEW_SECRET], confirm: { baseUrl, token: TOKEN } });
    const completed = (reference = 'ORDER 81/a') =>
      confirming().parse(request(unsigned(feexpayEvent('payment.completed', { transaction_id: 'txn_81', reference }))));

    it('is absent when confirm is not configured', () => {
      expect(provider.confirm).toBeUndefined();
    });

    it('asks for the reference with the bearer token and keeps a confirmed success', async () => {
      answer = { status: 200, body: JSON.stringify({ reference: 'ORDER 81/a', status: 'SUCCESSFUL', amount: 5000 }) };
      const event = completed();
      const confirmed = await confirming().confirm!(event);
      expect(seen).toHaveLength(1);
      expect(seen[0].method).toBe('GET');
      expect(seen[0].url).toBe('/api/transactions/getrequesttopay/integration/ORDER%2081%2Fa');
      expect(seen[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(confirmed).toEqual({ ...event, payment: { ...event.payment!, metadata: { operator: 'mtn_ci', confirmedStatus: 'SUCCESSFUL' } } });
    });

    it.each([
      ['SUCCESS', 'payment.completed'],
      ['FAILED', 'payment.failed'],
      ['INSUFFICIENT_FUNDS', 'payment.failed'],
      ['TIMEOUT', 'payment.failed'],
      ['PENDING', 'payment.pending'],
    ])('status %s → %s', async (status, expected) => {
      answer = { status: 200, body: JSON.stringify({ status }) };
      const confirmed = await confirming().confirm!(completed());
      expect(confirmed.type).toBe('payment.completed');
      expect(confirmed.payment).toMatchObject({ type: expected, metadata: { confirmedStatus: status } });
    });

    it('does not ask about events other than payment.completed', async () => {
      const failed = confirming().parse(request(unsigned(feexpayEvent('payment.failed'))));
      await expect(confirming().confirm!(failed)).resolves.toBe(failed);
      expect(seen).toHaveLength(0);
    });

    it.each([
      ['an HTTP error', { status: 503, body: '{}' }, 'answered HTTP 503'],
      ['a refused token', { status: 401, body: '{}' }, 'answered HTTP 401 (check confirm.token)'],
      ['a body that is not JSON', { status: 200, body: '<html>' }, 'did not answer JSON'],
      ['an unknown status', { status: 200, body: '{"status":"MAYBE"}' }, 'unknown status "MAYBE"'],
      ['no status', { status: 200, body: '{}' }, 'unknown status null'],
    ])('answers ConfirmationUnavailableError on %s', async (_, reply, message) => {
      answer = reply;
      const error = await confirming().confirm!(completed()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfirmationUnavailableError);
      expect((error as Error).message).toContain(message);
      expect((error as Error).message).not.toContain(TOKEN);
    });

    it('answers ConfirmationUnavailableError when the API does not answer in time', async () => {
      const silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const slow = feexpay({ secrets: [NEW_SECRET], confirm: { baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, token: TOKEN, timeoutMs: 50 } });
        const error = await slow.confirm!(completed()).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ConfirmationUnavailableError);
        expect((error as Error).message).toContain('no answer within 50 ms');
      } finally {
        silent.closeAllConnections();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });

    it('reads an AbortError from a fetch that drops the timeout reason as a timeout too', async () => {
      const aborting = (() => Promise.reject(new DOMException('This operation was aborted', 'AbortError'))) as typeof fetch;
      const slow = feexpay({ secrets: [NEW_SECRET], confirm: { baseUrl, token: TOKEN, timeoutMs: 75, fetch: aborting } });
      const error = await slow.confirm!(completed()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfirmationUnavailableError);
      expect((error as Error).message).toContain('failed: no answer within 75 ms.');
    });

    it('answers ConfirmationUnavailableError when the API cannot be reached', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const unreachable = feexpay({ secrets: [NEW_SECRET], confirm: { baseUrl: `http://127.0.0.1:${port}`, token: TOKEN } });
      const error = await unreachable.confirm!(completed()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfirmationUnavailableError);
      expect((error as Error).message).toMatch(/failed: .*ECONNREFUSED/);
    });
  });
});
