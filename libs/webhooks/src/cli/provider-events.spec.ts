import type { PaymentEvent } from '../events/payment-event';
import { feexpay } from '../providers/feexpay/feexpay.provider';
import { mvola } from '../providers/mvola/mvola.provider';
import { payqi } from '../providers/payqi/payqi.provider';
import { paystack } from '../providers/paystack/paystack.provider';
import { rawRequest } from '../providers/provider-helpers.for-spec';
import { standardWebhooks, type StandardWebhookMessage } from '../providers/standard-webhooks/standard-webhooks.provider';
import { stripe } from '../providers/stripe/stripe.provider';
import type { WebhookProvider } from '../providers/webhook-provider.interface';
import { eventTypeFor, OUTCOMES, PROVIDER_EVENTS, type Outcome, type ProviderKind } from './provider-events';
import { signDelivery } from './signed-delivery';

const SECRET = 'whsec_dGVzdC1jbGktc2VuZC1zdGFuZGFyZC13ZWJob29rcw';
const NOW = new Date();

// The demo's Standard Webhooks message, read the way apps/demo/src/standard-webhooks-payments.ts reads it.
const demoMessage = (message: StandardWebhookMessage, event: { provider: string }): PaymentEvent | undefined => {
  const data = message.data as { reference: string; amount: number; currency: string; id: string };
  return { type: message.type as PaymentEvent['type'], provider: event.provider, reference: data.reference, amountMinor: data.amount, currency: data.currency, transactionId: data.id, metadata: {} };
};

const RECEIVERS: Record<ProviderKind, WebhookProvider> = {
  stripe: stripe({ secrets: [SECRET] }),
  paystack: paystack({ secretKey: SECRET }),
  feexpay: feexpay({ secrets: [SECRET] }),
  payqi: payqi({ secrets: [SECRET], decimals: { BTC: 8 } }),
  mvola: mvola({ callbackToken: 'cli-token-1', api: { baseUrl: 'http://127.0.0.1:9', consumerKey: 'k', consumerSecret: 's', partnerName: 'Demo', partnerMsisdn: '0343500004' } }),
  'standard-webhooks': standardWebhooks({ name: 'standard-webhooks', secrets: [SECRET], normalize: demoMessage }),
};

/** Builds and signs as `send` does, then verifies and parses with the library's own provider. */
function roundTrip(kind: ProviderKind, outcome: Outcome, facts: { amountMinor?: number; currency?: string; decimals?: number; eventId?: string } = {}) {
  const mapped = eventTypeFor(kind, outcome);
  if (!('type' in mapped)) throw new Error(mapped.problem);
  const built = PROVIDER_EVENTS[kind].build({ outcome, reference: 'REG-CLI1', now: NOW, ...facts }, mapped.type);
  const secret = kind === 'mvola' ? 'cli-token-1' : SECRET;
  const delivery = signDelivery(kind, built.payload, { secret, path: `/webhooks/${kind}`, eventId: built.eventId });
  const url = new URL(delivery.path, 'http://app.test');
  const request = rawRequest(
    { ...delivery, method: delivery.method, path: url.pathname, query: Object.fromEntries(url.searchParams) },
    { receivedAt: new Date() },
  );
  const receiver = RECEIVERS[kind];
  expect(receiver.verify(request)).toEqual({ secretIndex: 0 });
  return { built, delivery, event: receiver.parse(request), body: JSON.parse(delivery.body) };
}

describe('send: provider events', () => {
  it.each([
    ['stripe', 2500, 'EUR'],
    ['stripe', 500, 'JPY'],
    ['paystack', 250_000, 'NGN'],
    ['feexpay', 5000, 'XOF'],
    ['feexpay', 1000, 'XAF'],
    ['payqi', 10_500_000, 'XRP'],
    ['payqi', 1, 'USDT'],
    ['payqi', Number.MAX_SAFE_INTEGER, 'XRP'],
    ['standard-webhooks', 4200, 'USD'],
  ] as const)('%s: %d %s in minor units is read back exactly, with the reference', (kind, amountMinor, currency) => {
    const { event } = roundTrip(kind, 'completed', { amountMinor, currency });
    expect(event.payment).toMatchObject({ type: 'payment.completed', provider: kind, reference: 'REG-CLI1', amountMinor, currency });
  });

  it('PayQI: an asset outside the defaults with --decimals, as the app configures it', () => {
    const { event, body } = roundTrip('payqi', 'completed', { amountMinor: 150_000_000, currency: 'BTC', decimals: 8 });
    expect(body.data.amount).toBe(1.5);
    expect(event.payment).toMatchObject({ amountMinor: 150_000_000, currency: 'BTC' });
  });

  it('writes each provider\'s own wire format', () => {
    expect(roundTrip('stripe', 'completed', { amountMinor: 2500, currency: 'EUR' }).body.data.object).toMatchObject({ amount_total: 2500, currency: 'eur', client_reference_id: 'REG-CLI1', payment_status: 'paid' });
    expect(roundTrip('paystack', 'completed', { amountMinor: 250_000, currency: 'NGN' }).body).toMatchObject({ event: 'charge.success', data: { amount: 250_000, currency: 'NGN', reference: 'REG-CLI1', status: 'success' } });
    expect(roundTrip('feexpay', 'completed', { amountMinor: 5000, currency: 'XOF' }).body).toMatchObject({ event_type: 'payment.completed', amount: 5000, currency: 'FCFA', reference: 'REG-CLI1' });
    expect(roundTrip('payqi', 'completed', { amountMinor: 10_500_000, currency: 'XRP' }).body).toMatchObject({ type: 'payment.completed', data: { amount: 10.5, currency: 'XRP', metadata: { order_id: 'REG-CLI1' } } });
  });

  it.each(
    (Object.keys(PROVIDER_EVENTS) as ProviderKind[]).flatMap((kind) =>
      OUTCOMES.filter((outcome) => PROVIDER_EVENTS[kind].types[outcome]).map((outcome) => [kind, outcome] as const),
    ),
  )('%s %s becomes payment.%s', (kind, outcome) => {
    const facts = kind === 'mvola' ? {} : { amountMinor: 1000, currency: kind === 'feexpay' ? 'XOF' : kind === 'payqi' ? 'XRP' : 'EUR' };
    const { event } = roundTrip(kind, outcome, facts);
    expect(event.payment).toMatchObject({ type: `payment.${outcome}`, reference: 'REG-CLI1' });
    if (kind !== 'mvola') expect(event.payment).toMatchObject({ amountMinor: 1000 });
    if (outcome === 'refunded') expect(event.payment?.metadata.partialRefund ?? false).toBe(false);
  });

  it('MVola: a PUT with the token in the URL, the captured shape without amount, named by --event-id', () => {
    const { delivery, event, body } = roundTrip('mvola', 'completed', { eventId: 'server-correlation-1' });
    expect(delivery).toMatchObject({ method: 'PUT', path: '/webhooks/mvola?token=cli-token-1' });
    expect(body).toMatchObject({ transactionStatus: 'completed', serverCorrelationId: 'server-correlation-1', metadata: [{ key: 'XCorrelationId', value: 'REG-CLI1' }] });
    expect(body).not.toHaveProperty('amount');
    expect(event.payment).toMatchObject({ type: 'payment.completed', reference: 'REG-CLI1', amountMinor: undefined });
  });

  it('--event-id is what the receiver dedupes on', () => {
    expect(roundTrip('stripe', 'completed', { amountMinor: 1, currency: 'EUR', eventId: 'evt_same' }).event.id).toBe('evt_same');
    expect(roundTrip('payqi', 'completed', { amountMinor: 1, currency: 'XRP', eventId: 'evt_same' }).event.id).toBe('evt_same');
    expect(roundTrip('feexpay', 'completed', { amountMinor: 1, currency: 'XOF', eventId: 'txn_same' }).event.id).toBe('txn_same:payment.completed');
    expect(roundTrip('paystack', 'completed', { amountMinor: 1, currency: 'NGN', eventId: '4099260516' }).event.id).toBe('charge.success:4099260516:success');
    expect(roundTrip('standard-webhooks', 'completed', { amountMinor: 1, currency: 'EUR', eventId: 'msg_same' }).event.id).toBe('msg_same');
  });

  it('says which outcomes a provider has no event for', () => {
    expect(eventTypeFor('paystack', 'failed')).toEqual({ problem: expect.stringMatching(/^Paystack sends no event for a failed payment \(there is no charge.failed.*: use --outcome completed\|refunded\.$/) });
    expect(eventTypeFor('payqi', 'refunded')).toEqual({ problem: expect.stringContaining('use --outcome completed|failed|expired') });
    expect(eventTypeFor('mvola', 'expired')).toEqual({ problem: expect.stringContaining('use --outcome completed|failed') });
    expect(eventTypeFor('feexpay', 'expired')).toEqual({ problem: expect.stringContaining('use --outcome completed|failed|refunded') });
  });
});
