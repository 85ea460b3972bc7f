import { randomBytes } from 'node:crypto';
import type { PaymentEvent } from '../../events/payment-event';
import { WebhookPayloadError } from '../../errors/webhook-payload.error';
import { signStandardWebhooks } from '../../testing/sign-standard-webhooks';
import { rawRequest, refusalReason, type SpecDelivery } from '../provider-helpers.for-spec';
import { standardWebhooks, type StandardWebhookMessage } from './standard-webhooks.provider';

const NOW = new Date('2026-11-25T12:00:00Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);
const OLD_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const NEW_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

const request = (signed: SpecDelivery, receivedAt = NOW) => rawRequest(signed, { path: '/webhooks/svix', receivedAt });

const message = { type: 'invoice.paid', timestamp: '2026-11-25T11:59:58.000Z', data: { invoice: 'inv_1', order: 'ORDER-3', amount: 4200, currency: 'eur' } };

describe('standardWebhooks provider', () => {
  const provider = standardWebhooks({ name: 'svix', secrets: [NEW_SECRET] });

  describe('verify', () => {
    it("passes the spec's known-answer vector with the clock at its timestamp", () => {
      const vector = standardWebhooks({ name: 'spec', secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] });
      const headers = {
        'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
        'webhook-timestamp': '1614265330',
        'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
      };
      const body = '{"test": 2432232314}';
      expect(vector.verify(request({ body, headers }, new Date(1614265330 * 1000)))).toEqual({ secretIndex: 0 });
      // The same vector, one digit changed in the body or read years later, is refused.
      expect(refusalReason(() => vector.verify(request({ body: '{"test": 2432232315}', headers }, new Date(1614265330 * 1000))))).toBe('invalid-signature');
      expect(refusalReason(() => vector.verify(request({ body, headers }, NOW)))).toBe('timestamp-out-of-tolerance');
    });

    it('accepts a message signed by the test signer, among other signature versions', () => {
      const signed = signStandardWebhooks({ payload: message, secret: NEW_SECRET, id: 'msg_1', timestamp: nowSeconds });
      expect(provider.verify(request(signed))).toEqual({ secretIndex: 0 });
      const mixed = { ...signed.headers, 'webhook-signature': `v1a,abc ${signed.headers['webhook-signature']}` };
      expect(provider.verify(request({ ...signed, headers: mixed }))).toEqual({ secretIndex: 0 });
    });

    it('accepts a plain base64 secret (without whsec_)', () => {
      const bare = standardWebhooks({ name: 'bare', secrets: [NEW_SECRET.slice('whsec_'.length)] });
      expect(bare.verify(request(signStandardWebhooks({ payload: message, secret: NEW_SECRET, timestamp: nowSeconds })))).toEqual({ secretIndex: 0 });
    });

    it('refuses a wrong secret, a tampered body or id, missing and malformed headers', () => {
      expect(refusalReason(() => provider.verify(request(signStandardWebhooks({ payload: message, secret: OLD_SECRET, timestamp: nowSeconds }))))).toBe('invalid-signature');
      const good = signStandardWebhooks({ payload: message, secret: NEW_SECRET, id: 'msg_1', timestamp: nowSeconds });
      expect(refusalReason(() => provider.verify(request({ ...good, body: good.body.replace('4200', '4201') })))).toBe('invalid-signature');
      expect(refusalReason(() => provider.verify(request({ ...good, headers: { ...good.headers, 'webhook-id': 'msg_2' } })))).toBe('invalid-signature');
      for (const header of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
        const headers = { ...good.headers };
        delete headers[header];
        expect(refusalReason(() => provider.verify(request({ ...good, headers })))).toBe('missing-header');
      }
      expect(refusalReason(() => provider.verify(request({ ...good, headers: { ...good.headers, 'webhook-timestamp': '17e8' } })))).toBe('malformed-header');
      expect(refusalReason(() => provider.verify(request({ ...good, headers: { ...good.headers, 'webhook-signature': 'v2,abc' } })))).toBe('malformed-header');
    });

    it('names every missing header and never the expected signature', () => {
      const good = signStandardWebhooks({ payload: message, secret: NEW_SECRET, id: 'msg_1', timestamp: nowSeconds });
      expect(() => provider.verify(request({ ...good, headers: {} }))).toThrow('Missing header(s): webhook-id, webhook-timestamp, webhook-signature.');
      const wrong = signStandardWebhooks({ payload: message, secret: OLD_SECRET, id: 'msg_1', timestamp: nowSeconds });
      let refusal = '';
      try {
        provider.verify(request(wrong));
      } catch (error) {
        refusal = (error as Error).message;
      }
      expect(refusal).toMatch(/^No v1 signature/);
      expect(refusal).not.toContain(good.headers['webhook-signature'].slice(3));
      expect(refusal).not.toContain(NEW_SECRET.slice('whsec_'.length));
    });

    it('refuses a timestamp more than the tolerance away either way, checked after the signature', () => {
      const at = (timestamp: number, secret = NEW_SECRET) => request(signStandardWebhooks({ payload: message, secret, timestamp }));
      expect(refusalReason(() => provider.verify(at(nowSeconds - 301)))).toBe('timestamp-out-of-tolerance');
      expect(refusalReason(() => provider.verify(at(nowSeconds + 301)))).toBe('timestamp-out-of-tolerance');
      expect(provider.verify(at(nowSeconds - 300))).toEqual({ secretIndex: 0 });
      expect(refusalReason(() => provider.verify(at(nowSeconds - 3600, OLD_SECRET)))).toBe('invalid-signature');
      const strict = standardWebhooks({ name: 'svix', secrets: [NEW_SECRET], tolerance: 30 });
      expect(refusalReason(() => strict.verify(at(nowSeconds - 31)))).toBe('timestamp-out-of-tolerance');
    });

    it('accepts the old and the new secret while rotating, until the old one expires', () => {
      const rotating = standardWebhooks({ name: 'svix', secrets: [{ secret: OLD_SECRET, notAfter: '2026-11-25T11:00:00Z' }, NEW_SECRET] });
      const before = new Date('2026-11-25T10:59:00Z');
      const beforeSeconds = Math.floor(before.getTime() / 1000);
      expect(rotating.verify(request(signStandardWebhooks({ payload: message, secret: OLD_SECRET, timestamp: beforeSeconds }), before))).toEqual({ secretIndex: 0 });
      expect(rotating.verify(request(signStandardWebhooks({ payload: message, secret: NEW_SECRET, timestamp: nowSeconds })))).toEqual({ secretIndex: 1 });
      expect(refusalReason(() => rotating.verify(request(signStandardWebhooks({ payload: message, secret: OLD_SECRET, timestamp: nowSeconds }))))).toBe('invalid-signature');
      // A sender rotating signs with both: the new one still matches.
      expect(rotating.verify(request(signStandardWebhooks({ payload: message, secret: [OLD_SECRET, NEW_SECRET], timestamp: nowSeconds })))).toEqual({ secretIndex: 1 });
    });
  });

  describe('validate', () => {
    it('requires a name and whsec_ base64 secrets of 24 to 64 bytes, never quoting them', () => {
      expect(provider.validate!()).toEqual([]);
      const short = `whsec_${randomBytes(16).toString('base64')}`;
      const long = randomBytes(65).toString('base64');
      const problems = standardWebhooks({ name: '', secrets: [NEW_SECRET, 'whsec_not base64!', short, long, '', 'whpk_abcd'], tolerance: -1 }).validate!();
      expect(problems).toEqual([
        "name: required; name the sender, e.g. 'svix'",
        'secrets[4]: the secret is empty',
        "secrets[1]: must be whsec_ followed by base64 (as the sender's dashboard shows it); asymmetric whpk_ keys are not supported",
        'secrets[2]: decodes to 16 bytes; a Standard Webhooks secret is 24 to 64 bytes',
        'secrets[3]: decodes to 65 bytes; a Standard Webhooks secret is 24 to 64 bytes',
        "secrets[5]: must be whsec_ followed by base64 (as the sender's dashboard shows it); asymmetric whpk_ keys are not supported",
        'tolerance: must be a positive number of seconds',
      ]);
      const text = problems.join('\n');
      for (const secret of [short, long, 'not base64!']) expect(text).not.toContain(secret.replace('whsec_', ''));
    });
  });

  describe('parse', () => {
    const signed = (payload: unknown, id = 'msg_2Lhq') => signStandardWebhooks({ payload, secret: NEW_SECRET, id, timestamp: nowSeconds });

    it('dedupes on webhook-id, takes the type and time from the payload, and has no payment view by default', () => {
      expect(provider.parse(request(signed(message)))).toEqual({
        provider: 'svix',
        id: 'msg_2Lhq',
        type: 'invoice.paid',
        payload: message,
        occurredAt: new Date('2026-11-25T11:59:58.000Z'),
        payment: undefined,
      });
    });

    it("falls back to type 'message' and the header's time", () => {
      expect(provider.parse(request(signed({ hello: 'world' })))).toMatchObject({ type: 'message', occurredAt: NOW });
    });

    it('normalizes with the user function, given the payload and the event', () => {
      type Invoice = StandardWebhookMessage & { data: { order: string; amount: number; currency: string } };
      const seen: unknown[] = [];
      const normalizing = standardWebhooks<Invoice>({
        name: 'billing',
        secrets: [NEW_SECRET],
        normalize: (payload, event): PaymentEvent | undefined => {
          seen.push(event);
          if (payload.type !== 'invoice.paid') return undefined;
          return { type: 'payment.completed', provider: event.provider, reference: payload.data.order, amountMinor: payload.data.amount, currency: payload.data.currency.toUpperCase(), metadata: {} };
        },
      });
      const event = normalizing.parse(request(signed(message)));
      expect(event.payment).toEqual({ type: 'payment.completed', provider: 'billing', reference: 'ORDER-3', amountMinor: 4200, currency: 'EUR', metadata: {} });
      expect(seen).toEqual([{ provider: 'billing', id: 'msg_2Lhq', type: 'invoice.paid', payload: message, occurredAt: new Date('2026-11-25T11:59:58.000Z') }]);
      expect(normalizing.parse(request(signed({ ...message, type: 'invoice.created' }))).payment).toBeUndefined();
    });

    it('refuses a body that is not a JSON object', () => {
      expect(() => provider.parse(request(signed('{not json')))).toThrow(new WebhookPayloadError('The body is not valid JSON.'));
      expect(() => provider.parse(request(signed('[1,2]')))).toThrow('must be a JSON object');
    });
  });
});
