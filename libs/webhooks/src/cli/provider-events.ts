import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mvolaCallbackBody } from '../testing/mvola-callback';
import { feexpayEvent } from '../testing/sign-feexpay';
import { payqiEvent } from '../testing/sign-payqi';
import { paystackEvent } from '../testing/sign-paystack';
import { stripeEvent } from '../testing/sign-stripe';
import { feexpayCurrency, payqiAmount, payqiDecimals, stripeCurrency } from './wire-amounts';

/** The providers `send` can speak for; also their default endpoint names. */
export const PROVIDER_KINDS = ['stripe', 'paystack', 'feexpay', 'payqi', 'mvola', 'standard-webhooks'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** Payment outcomes `send` can report, each mapped to the provider's own event type. */
export const OUTCOMES = ['completed', 'failed', 'expired', 'refunded'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What the sent event says, in the library's normalized terms. */
export interface EventFacts {
  outcome: Outcome;
  /** The merchant's reference, read back as `PaymentEvent.reference`. */
  reference: string;
  /** Minor units, read back as `PaymentEvent.amountMinor` (MVola: never sent). */
  amountMinor?: number;
  /** Upper-case ISO 4217 or asset code, read back as `PaymentEvent.currency`. */
  currency?: string;
  /** The id the receiver dedupes on; random when absent (MVola: required, its serverCorrelationId). */
  eventId?: string;
  /** PayQI only: decimal places of the asset, as the app's `payqi({ decimals })` option. */
  decimals?: number;
  now: Date;
}

/** One provider event, before signing. */
export interface BuiltEvent {
  /** The provider's own event type (MVola: the callback's status). */
  type: string;
  /** What the receiver dedupes on: the same `--event-id` twice is one delivery. */
  eventId: string;
  /** The body: an object, serialized once when signed, or an exact JSON string. */
  payload: object | string;
}

export interface ProviderEvents {
  /** The provider's name in messages. */
  label: string;
  /** The provider's event type for each outcome it has an event for. */
  types: Partial<Record<Outcome, string>>;
  /** Why the other outcomes have none. */
  missingOutcomes?: string;
  /** MVola's callback carries no amount: the app compares with its own record. */
  sendsAmount: boolean;
  build(facts: EventFacts, type: string): BuiltEvent;
}

const PAYER_EMAIL = 'payer@example.com';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Per provider: the outcomes it reports and a realistic body for each, built with the library's test builders. */
export const PROVIDER_EVENTS: Readonly<Record<ProviderKind, ProviderEvents>> = {
  stripe: {
    label: 'Stripe',
    types: {
      completed: 'checkout.session.completed',
      failed: 'checkout.session.async_payment_failed',
      expired: 'checkout.session.expired',
      refunded: 'charge.refunded',
    },
    sendsAmount: true,
    build(facts, type) {
      const eventId = facts.eventId ?? `evt_cli_${hex(12)}`;
      const created = Math.floor(facts.now.getTime() / 1000);
      const currency = stripeCurrency(facts.currency!);
      const paymentIntent = `pi_cli_${hex(12)}`;
      // The reference travels as the Checkout Session's client_reference_id, and as metadata.reference on the charge.
      const object =
        facts.outcome === 'refunded'
          ? {
              id: `ch_cli_${hex(12)}`,
              object: 'charge',
              amount: facts.amountMinor,
              amount_captured: facts.amountMinor,
              amount_refunded: facts.amountMinor,
              captured: true,
              created,
              currency,
              livemode: false,
              metadata: { reference: facts.reference },
              paid: true,
              payment_intent: paymentIntent,
              refunded: true,
              status: 'succeeded',
              billing_details: { email: PAYER_EMAIL },
            }
          : {
              id: `cs_cli_${hex(12)}`,
              object: 'checkout.session',
              amount_subtotal: facts.amountMinor,
              amount_total: facts.amountMinor,
              client_reference_id: facts.reference,
              created,
              currency,
              customer_details: { email: PAYER_EMAIL },
              expires_at: created + 86_400,
              livemode: false,
              metadata: {},
              mode: 'payment',
              payment_intent: facts.outcome === 'expired' ? null : paymentIntent,
              payment_status: facts.outcome === 'completed' ? 'paid' : 'unpaid',
              status: facts.outcome === 'expired' ? 'expired' : 'complete',
            };
      return { type, eventId, payload: stripeEvent(type, object, { id: eventId, created }) };
    },
  },

  paystack: {
    label: 'Paystack',
    types: { completed: 'charge.success', refunded: 'refund.processed' },
    missingOutcomes: 'there is no charge.failed event, and invoice.payment_failed is about subscriptions',
    sendsAmount: true,
    build(facts, type) {
      const customer = { email: PAYER_EMAIL };
      if (facts.outcome === 'refunded') {
        // Paystack's refund body names the refunded transaction by its reference; its amount may be a string.
        const refundReference = facts.eventId ?? `RF_${hex(8)}`;
        const data = {
          status: 'processed',
          transaction_reference: facts.reference,
          refund_reference: refundReference,
          amount: String(facts.amountMinor),
          currency: facts.currency,
          customer,
          domain: 'test',
        };
        return { type, eventId: refundReference, payload: paystackEvent(type, data) };
      }
      // No event id: the receiver dedupes on event, data.id and data.status.
      const given = facts.eventId;
      const id = given === undefined ? randomInt(1_000_000_000, 9_999_999_999) : /^\d{1,15}$/.test(given) ? Number(given) : given;
      const paidAt = facts.now.toISOString();
      const data = {
        id,
        domain: 'test',
        status: 'success',
        reference: facts.reference,
        amount: facts.amountMinor,
        gateway_response: 'Successful',
        paid_at: paidAt,
        created_at: paidAt,
        channel: 'card',
        currency: facts.currency,
        metadata: 0,
        customer,
      };
      return { type, eventId: String(id), payload: paystackEvent(type, data) };
    },
  },

  feexpay: {
    label: 'FeexPay',
    types: { completed: 'payment.completed', failed: 'payment.failed', refunded: 'refund.issued' },
    missingOutcomes: 'its events are payment.completed, payment.failed, payment.pending and refund.issued',
    sendsAmount: true,
    build(facts, type) {
      const eventId = facts.eventId ?? `txn_cli_${hex(8)}`;
      const statuses: Partial<Record<Outcome, string>> = { completed: 'SUCCESSFUL', failed: 'FAILED', refunded: 'REFUNDED' };
      const status = statuses[facts.outcome];
      const payload = feexpayEvent(type, {
        transaction_id: eventId,
        reference: facts.reference,
        amount: facts.amountMinor,
        currency: feexpayCurrency(facts.currency!),
        status,
        timestamp: facts.now.toISOString(),
      });
      return { type, eventId, payload };
    },
  },

  payqi: {
    label: 'PayQI',
    types: { completed: 'payment.completed', failed: 'payment.failed', expired: 'payment.expired' },
    missingOutcomes: 'its events are payment.created, pending, completed, failed and expired',
    sendsAmount: true,
    build(facts, type) {
      const eventId = facts.eventId ?? `evt_cli_${hex(12)}`;
      const currency = facts.currency!;
      const data = {
        id: `pay_cli_${hex(8)}`,
        amount: payqiAmount(facts.amountMinor!, payqiDecimals(currency, facts.decimals)),
        currency,
        status: facts.outcome,
        tx_hash: facts.outcome === 'completed' ? hex(32).toUpperCase() : null,
        // The merchant's reference travels as metadata.order_id.
        metadata: { order_id: facts.reference },
      };
      return { type, eventId, payload: payqiEvent(type, data, { id: eventId, created: Math.floor(facts.now.getTime() / 1000) }) };
    },
  },

  mvola: {
    label: 'MVola',
    types: { completed: 'completed', failed: 'failed' },
    missingOutcomes: 'its merchant-pay callback only reports completed or failed',
    sendsAmount: false,
    build(facts, type) {
      const eventId = facts.eventId ?? randomUUID();
      // The captured shape: the reference is the X-CorrelationID the merchant sent, echoed in metadata.
      const payload = mvolaCallbackBody({
        shape: 'captured',
        status: type,
        serverCorrelationId: eventId,
        reference: facts.reference,
        requestDate: facts.now,
      });
      return { type, eventId, payload };
    },
  },

  'standard-webhooks': {
    label: 'Standard Webhooks',
    types: { completed: 'payment.completed', failed: 'payment.failed', expired: 'payment.expired', refunded: 'payment.refunded' },
    sendsAmount: true,
    build(facts, type) {
      // The spec fixes the signature, not the payload: this is the demo's message, amount in minor units.
      const eventId = facts.eventId ?? `msg_${hex(12)}`;
      const payload = {
        type,
        timestamp: facts.now.toISOString(),
        data: { id: `pay_cli_${hex(8)}`, reference: facts.reference, amount: facts.amountMinor, currency: facts.currency },
      };
      return { type, eventId, payload };
    },
  },
};

/** The provider's event type for `outcome`, or a sentence saying why it has none. */
export function eventTypeFor(kind: ProviderKind, outcome: Outcome): { type: string } | { problem: string } {
  const events = PROVIDER_EVENTS[kind];
  const type = events.types[outcome];
  if (type) return { type };
  const supported = OUTCOMES.filter((candidate) => events.types[candidate]);
  const why = events.missingOutcomes ? ` (${events.missingOutcomes})` : '';
  return { problem: `${events.label} sends no event for a ${outcome} payment${why}: use --outcome ${supported.join('|')}.` };
}
