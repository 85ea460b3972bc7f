import type { PaymentEvent, PaymentEventType, ProviderEvent } from '../../events/payment-event';
import { WebhookPayloadError } from '../../errors/webhook-payload.error';
import { WebhookVerificationError } from '../../errors/webhook-verification.error';
import { activeSecrets, secretValue, type WebhookSecret } from '../../secrets/webhook-secret';
import { hmac, matchHmac } from '../hmac';
import { integerMinor, normalizeCurrency } from '../money';
import { boundedId, dateOf, isRecord, parseJsonObject, sha256Hex, text } from '../payload';
import { endpointPaths, secretProblems, type EndpointOptions } from '../provider-options';
import type { RawWebhookRequest, WebhookProvider } from '../webhook-provider.interface';

/** The addresses Paystack documents sending webhooks from; pass as `allowIps` to refuse anything else. */
export const PAYSTACK_IPS: readonly string[] = Object.freeze(['52.31.139.75', '52.49.173.169', '52.214.14.220']);

export interface PaystackProviderOptions extends Omit<EndpointOptions, 'allowIps'> {
  /** The secret key (`sk_test_…` / `sk_live_…`): Paystack signs with it. Give this or `secretKeys`. */
  secretKey?: WebhookSecret;
  /** Several secret keys while rolling one over. Give this or `secretKey`. */
  secretKeys?: WebhookSecret[];
  /** Addresses allowed to call, e.g. `PAYSTACK_IPS`. */
  allowIps?: readonly string[];
}

/** A Paystack delivery: `{ event, data }`. Only the fields the normalization reads are typed. */
export interface PaystackEvent {
  event: string;
  data: PaystackEventData;
}

export interface PaystackEventData {
  id?: number | string;
  status?: string;
  reference?: string;
  amount?: number | string;
  currency?: string;
  paid_at?: string | null;
  created_at?: string;
  /** An object, or 0, "" or null when the merchant set none. */
  metadata?: Record<string, unknown> | string | number | null;
  customer?: { email?: string | null; phone?: string | null } | null;
  transaction_reference?: string;
  refund_reference?: string | null;
  request_code?: string;
  offline_reference?: string | null;
  invoice_code?: string;
  subscription?: { subscription_code?: string } | null;
  [key: string]: unknown;
}

export type PaystackProvider = WebhookProvider<PaystackEvent>;

const SIGNATURE_HEADER = 'x-paystack-signature';

/** Paystack endpoint: HMAC-SHA512 of the raw body with the secret key; no timestamp, so dedupe is what stops replays. */
export function paystack(options: PaystackProviderOptions): PaystackProvider {
  const name = options.name ?? 'paystack';
  const secrets: WebhookSecret[] = options.secretKeys ?? (options.secretKey === undefined ? [] : [options.secretKey]);
  return {
    name,
    paths: endpointPaths(options.path),
    allowIps: options.allowIps,
    validate: () => validatePaystackOptions(options),
    verify(req: RawWebhookRequest) {
      const header = req.headers[SIGNATURE_HEADER];
      if (!header) throw new WebhookVerificationError('missing-header', 'The x-paystack-signature header is missing.');
      const signature = header.trim().toLowerCase();
      if (!/^[0-9a-f]{128}$/.test(signature)) {
        throw new WebhookVerificationError('malformed-header', 'The x-paystack-signature header must be the 128-character hex HMAC-SHA512 of the body.');
      }
      const matched = matchHmac(activeSecrets(secrets, req.receivedAt), [signature], (key) => hmac('sha512', key, req.rawBody));
      if (matched < 0) {
        throw new WebhookVerificationError('invalid-signature', 'x-paystack-signature does not match this endpoint\'s secret key; sign the exact body with the secret key (sk_…).');
      }
      return { secretIndex: matched };
    },
    parse(req: RawWebhookRequest): ProviderEvent<PaystackEvent> {
      const event = parseEnvelope(req.rawBody);
      return {
        provider: name,
        id: dedupeId(event, req.rawBody),
        type: event.event,
        payload: event,
        payment: normalizePaystackEvent(name, event),
        occurredAt: dateOf(event.data.paid_at ?? event.data.paidAt ?? event.data.created_at ?? event.data.createdAt),
      };
    },
  };
}

function validatePaystackOptions(options: PaystackProviderOptions): string[] {
  const hasOne = options.secretKey !== undefined;
  const hasMany = options.secretKeys !== undefined;
  if (hasOne && hasMany) return ['secretKey: give either secretKey or secretKeys, not both'];
  if (!hasOne && !hasMany) return ['secretKey: required (or secretKeys while rotating keys)'];
  const problems = hasOne
    ? secretProblems([options.secretKey!], 'secretKey').map((problem) => problem.replace(/^secretKey\[0\]/, 'secretKey'))
    : secretProblems(options.secretKeys, 'secretKeys');
  const entries = hasOne ? [{ entry: options.secretKey!, where: 'secretKey' }] : options.secretKeys!.map((entry, i) => ({ entry, where: `secretKeys[${i}]` }));
  for (const { entry, where } of entries) {
    // A public key is a common mix-up; Paystack signs with the secret key.
    if (secretValue(entry)?.startsWith('pk_')) problems.push(`${where}: this is a public key (pk_…); use the secret key (sk_test_… or sk_live_…)`);
  }
  return problems;
}

function parseEnvelope(rawBody: Buffer): PaystackEvent {
  const event = parseJsonObject(rawBody, 'A Paystack event') as Partial<PaystackEvent>;
  if (typeof event.event !== 'string' || event.event === '') throw new WebhookPayloadError('A Paystack event needs a string "event".');
  if (!isRecord(event.data)) throw new WebhookPayloadError('A Paystack event needs a "data" object.');
  return event as PaystackEvent;
}

/**
 * Paystack sends no event id: the key is derived from authenticated content, `event:id:status`, so a
 * retry of the same delivery collides and a later status of the same object does not.
 */
function dedupeId(event: PaystackEvent, rawBody: Buffer): string {
  const { data } = event;
  const subject = text(data.id) ?? text(data.reference) ?? text(data.refund_reference) ?? refundSubject(data) ?? text(data.request_code) ?? text(data.invoice_code);
  // Nothing identifies the object: the body itself does (Paystack retries resend the same body).
  return boundedId(subject === undefined ? `${event.event}:body-sha256:${sha256Hex(rawBody)}` : `${event.event}:${subject}:${text(data.status) ?? ''}`);
}

// Refund deliveries may carry only the refunded transaction's reference; the amount keeps two partial refunds apart.
function refundSubject(data: PaystackEventData): string | undefined {
  const reference = text(data.transaction_reference);
  return reference === undefined ? undefined : `${reference}/${text(data.amount) ?? ''}`;
}

type Metadata = Record<string, unknown>;

/** The normalized payment view of a Paystack event, or undefined when it is not about a payment outcome. */
export function normalizePaystackEvent(provider: string, event: PaystackEvent): PaymentEvent | undefined {
  const { data } = event;
  switch (event.event) {
    case 'charge.success':
      return payment(provider, 'payment.completed', data, text(data.reference));
    // A payment request has no merchant reference of its own: the merchant keeps the request_code it got
    // back when creating it. offline_reference (the code a payer quotes at a bank) comes last.
    case 'paymentrequest.success':
      return payment(provider, 'payment.completed', data, text(data.request_code) ?? text(data.reference) ?? text(data.offline_reference));
    case 'paymentrequest.pending':
      return payment(provider, 'payment.pending', data, text(data.request_code) ?? text(data.reference) ?? text(data.offline_reference));
    // Subscription invoices: the merchant knows the subscription, then the invoice.
    case 'invoice.payment_failed':
      return payment(provider, 'payment.failed', data, text(data.subscription?.subscription_code) ?? text(data.invoice_code) ?? text(data.reference), {
        ...(text(data.invoice_code) ? { invoiceCode: text(data.invoice_code) } : {}),
      });
    case 'refund.processed':
      return payment(provider, 'payment.refunded', data, text(data.transaction_reference), {
        ...(text(data.refund_reference) ? { refundReference: text(data.refund_reference) } : {}),
      });
    default:
      return undefined;
  }
}

function payment(provider: string, type: PaymentEventType, data: PaystackEventData, reference: string | undefined, extra: Metadata = {}): PaymentEvent | undefined {
  if (!reference) return undefined;
  return {
    type,
    provider,
    reference,
    transactionId: text(data.id),
    amountMinor: data.amount === undefined || data.amount === null ? undefined : integerMinor(data.amount),
    currency: normalizeCurrency(data.currency),
    metadata: { ...metadataOf(data.metadata), ...extra },
    customer: customer(data.customer),
  };
}

/** Paystack sends metadata as an object, a JSON string, or 0 / "" / null when there is none. */
function metadataOf(value: unknown): Metadata {
  if (typeof value === 'string' && value.trim().startsWith('{')) {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  return isRecord(value) ? { ...value } : {};
}

function customer(value: PaystackEventData['customer']): PaymentEvent['customer'] {
  const email = text(value?.email);
  const phone = text(value?.phone);
  if (!email && !phone) return undefined;
  return { ...(email ? { email } : {}), ...(phone ? { phone } : {}) };
}
