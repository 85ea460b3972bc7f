import Stripe from 'stripe';
import type { PaymentEvent, PaymentEventType, ProviderEvent } from '../../events/payment-event';
import { WebhookPayloadError } from '../../errors/webhook-payload.error';
import { WebhookVerificationError } from '../../errors/webhook-verification.error';
import { activeSecrets, type WebhookSecret } from '../../secrets/webhook-secret';
import { normalizeCurrency } from '../money';
import { parseJsonObject } from '../payload';
import { endpointPaths, secretProblems, type EndpointOptions } from '../provider-options';
import type { RawWebhookRequest, WebhookProvider } from '../webhook-provider.interface';

export interface StripeProviderOptions extends EndpointOptions {
  /** Endpoint signing secrets (`whsec_…`); several during a rotation. */
  secrets: WebhookSecret[];
  /** Maximum age of the signature timestamp, in seconds. Default 300 (Stripe's own default). */
  tolerance?: number;
}

export type StripeProvider = WebhookProvider<Stripe.Event>;

const SIGNATURE_HEADER = 'stripe-signature';

/** Stripe endpoint: verified with the `stripe` package, normalized from Checkout, PaymentIntent and Charge events. */
export function stripe(options: StripeProviderOptions): StripeProvider {
  const name = options.name ?? 'stripe';
  const tolerance = options.tolerance ?? 300;
  return {
    name,
    paths: endpointPaths(options.path),
    allowIps: options.allowIps,
    validate: () => secretProblems(options.secrets),
    verify(req: RawWebhookRequest) {
      const header = req.headers[SIGNATURE_HEADER];
      if (!header) throw new WebhookVerificationError('missing-header', 'The Stripe-Signature header is missing.');
      // Every secret is tried (rotation); a stale timestamp only counts once a signature matched.
      let stale = false;
      let malformed = false;
      for (const secret of activeSecrets(options.secrets, req.receivedAt)) {
        try {
          Stripe.webhooks.signature!.verifyHeader(req.rawBody, header, secret.value, tolerance, undefined, req.receivedAt.getTime());
          return { secretIndex: secret.index };
        } catch (error) {
          const message = error instanceof Error ? error.message : '';
          if (message.startsWith('Timestamp outside the tolerance zone')) stale = true;
          else if (message.startsWith('Unable to extract') || message.startsWith('No signatures found with expected scheme')) malformed = true;
        }
      }
      if (stale) throw new WebhookVerificationError('timestamp-out-of-tolerance', `The Stripe-Signature timestamp is older than ${tolerance} s; resend the event.`);
      if (malformed) throw new WebhookVerificationError('malformed-header', 'The Stripe-Signature header must look like t=<unix>,v1=<hex>.');
      throw new WebhookVerificationError('invalid-signature', 'No v1 signature in Stripe-Signature matches this endpoint\'s signing secret.');
    },
    parse(req: RawWebhookRequest): ProviderEvent<Stripe.Event> {
      const event = parseEnvelope(req.rawBody);
      return {
        provider: name,
        id: event.id,
        type: event.type,
        payload: event,
        payment: normalizeStripeEvent(name, event),
        occurredAt: new Date(event.created * 1000),
      };
    },
  };
}

function parseEnvelope(rawBody: Buffer): Stripe.Event {
  const event = parseJsonObject(rawBody, 'A Stripe event') as Partial<Stripe.Event>;
  if (typeof event.id !== 'string' || typeof event.type !== 'string') throw new WebhookPayloadError('A Stripe event needs a string "id" and "type".');
  if (!event.data || typeof event.data !== 'object' || typeof event.data.object !== 'object' || event.data.object === null) {
    throw new WebhookPayloadError('A Stripe event needs a "data.object".');
  }
  if (typeof event.created !== 'number') throw new WebhookPayloadError('A Stripe event needs a numeric "created".');
  return event as Stripe.Event;
}

type Metadata = Record<string, unknown>;

/** The normalized payment view of a Stripe event, or undefined when it is not about a payment outcome. */
export function normalizeStripeEvent(provider: string, event: Stripe.Event): PaymentEvent | undefined {
  switch (event.type) {
    case 'checkout.session.completed': {
      const session = event.data.object;
      const type: PaymentEventType = session.payment_status === 'unpaid' ? 'payment.pending' : 'payment.completed';
      return fromCheckoutSession(provider, type, session);
    }
    case 'checkout.session.async_payment_succeeded':
      return fromCheckoutSession(provider, 'payment.completed', event.data.object);
    case 'checkout.session.async_payment_failed':
      return fromCheckoutSession(provider, 'payment.failed', event.data.object);
    case 'checkout.session.expired':
      return fromCheckoutSession(provider, 'payment.expired', event.data.object);
    case 'payment_intent.succeeded':
      return fromPaymentIntent(provider, 'payment.completed', event.data.object);
    case 'payment_intent.payment_failed':
      return fromPaymentIntent(provider, 'payment.failed', event.data.object);
    case 'payment_intent.processing':
      return fromPaymentIntent(provider, 'payment.pending', event.data.object);
    case 'payment_intent.canceled':
      return fromPaymentIntent(provider, 'payment.cancelled', event.data.object);
    case 'charge.refunded':
      return fromRefundedCharge(provider, event.data.object);
    default:
      return undefined;
  }
}

function fromCheckoutSession(provider: string, type: PaymentEventType, session: Stripe.Checkout.Session): PaymentEvent | undefined {
  const metadata: Metadata = { ...(session.metadata ?? {}) };
  const reference = session.client_reference_id ?? referenceFrom(metadata);
  if (!reference) return undefined;
  return {
    type,
    provider,
    reference,
    transactionId: idOf(session.payment_intent) ?? session.id,
    amountMinor: session.amount_total ?? undefined,
    currency: normalizeCurrency(session.currency),
    metadata: { ...metadata, checkoutSessionId: session.id },
    customer: customer(session.customer_details?.email, session.customer_details?.phone),
  };
}

function fromPaymentIntent(provider: string, type: PaymentEventType, intent: Stripe.PaymentIntent): PaymentEvent | undefined {
  const metadata: Metadata = { ...(intent.metadata ?? {}) };
  const reference = referenceFrom(metadata);
  if (!reference) return undefined;
  return {
    type,
    provider,
    reference,
    transactionId: intent.id,
    amountMinor: type === 'payment.completed' ? intent.amount_received || intent.amount : intent.amount,
    currency: normalizeCurrency(intent.currency),
    metadata,
    customer: customer(intent.receipt_email ?? undefined),
  };
}

function fromRefundedCharge(provider: string, charge: Stripe.Charge): PaymentEvent | undefined {
  const metadata: Metadata = { ...(charge.metadata ?? {}) };
  const reference = referenceFrom(metadata);
  if (!reference) return undefined;
  return {
    type: 'payment.refunded',
    provider,
    reference,
    transactionId: idOf(charge.payment_intent) ?? charge.id,
    amountMinor: charge.amount_refunded,
    currency: normalizeCurrency(charge.currency),
    metadata: { ...metadata, chargeId: charge.id, partialRefund: charge.amount_refunded < charge.amount },
    customer: customer(charge.billing_details?.email ?? charge.receipt_email ?? undefined, charge.billing_details?.phone ?? undefined),
  };
}

function referenceFrom(metadata: Metadata): string | undefined {
  for (const key of ['reference', 'registrationId', 'orderId']) {
    const value = metadata[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

function idOf(value: string | { id: string } | null | undefined): string | undefined {
  if (!value) return undefined;
  return typeof value === 'string' ? value : value.id;
}

function customer(email?: string | null, phone?: string | null): PaymentEvent['customer'] {
  if (!email && !phone) return undefined;
  return { ...(email ? { email } : {}), ...(phone ? { phone } : {}) };
}
