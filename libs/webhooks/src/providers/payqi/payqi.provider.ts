import type { PaymentEvent, PaymentEventType, ProviderEvent } from '../../events/payment-event';
import { WebhookPayloadError } from '../../errors/webhook-payload.error';
import { WebhookVerificationError } from '../../errors/webhook-verification.error';
import { activeSecrets, type WebhookSecret } from '../../secrets/webhook-secret';
import { hmac, matchHmac, type HmacAlgorithm } from '../hmac';
import { decimalToMinor, normalizeCurrency } from '../money';
import { dateOf, isRecord, MAX_EVENT_ID_LENGTH, parseJsonObject, text } from '../payload';
import { endpointPaths, secretProblems, type EndpointOptions } from '../provider-options';
import type { RawWebhookRequest, WebhookProvider } from '../webhook-provider.interface';

export interface PayqiProviderOptions extends EndpointOptions {
  /** Webhook secrets; several during a rotation. */
  secrets: WebhookSecret[];
  /** Accepted distance between X-PayQI-Timestamp and reception, in seconds, either way. Default 300. */
  tolerance?: number;
  /**
   * Decimal places per asset, added to the defaults `{ XRP: 6, USDT: 6, USDC: 6 }`. Only assets whose
   * amounts stay exact integers in minor units (≤ 15 decimals) can be listed: not ETH's 18.
   */
  decimals?: Record<string, number>;
  /** The guide is PayQI's only spec: headers and algorithm can follow it without a new release. Default `x-payqi-signature`. */
  signatureHeader?: string;
  /** Default `x-payqi-timestamp`. */
  timestampHeader?: string;
  /** Default `sha256`. */
  algorithm?: HmacAlgorithm;
}

/** A PayQI delivery as the integration guide describes it. */
export interface PayqiEvent {
  id: string;
  type: string;
  /** Unix seconds (or an ISO date). */
  created?: number | string;
  data: PayqiPaymentData;
}

export interface PayqiPaymentData {
  id?: string;
  /**
   * Decimal amount in the asset's unit. A string ("10.500001") is always read exactly. A JSON number is
   * parsed to a double first; it is read from its shortest round-trip text, which is the sender's digits
   * for up to 15–17 significant digits but not beyond: senders should prefer strings.
   */
  amount?: number | string;
  currency?: string;
  status?: string;
  tx_hash?: string | null;
  metadata?: { order_id?: string | number; [key: string]: unknown } | null;
  [key: string]: unknown;
}

export type PayqiProvider = WebhookProvider<PayqiEvent>;

/** Assets whose amounts fit a safe integer in minor units (XRP drops, USDT/USDC micro-units). */
export const PAYQI_DEFAULT_DECIMALS: Readonly<Record<string, number>> = Object.freeze({ XRP: 6, USDT: 6, USDC: 6 });

// Minor units must stay below 2^53: 15 decimals still leave 9 whole units, more leave none.
const MAX_DECIMALS = 15;

const EVENT_TYPES: Record<string, PaymentEventType> = {
  // A created payment awaits funds: for the merchant's order that is the same as pending.
  'payment.created': 'payment.pending',
  'payment.pending': 'payment.pending',
  'payment.completed': 'payment.completed',
  'payment.failed': 'payment.failed',
  'payment.expired': 'payment.expired',
};

/**
 * PayQI endpoint (crypto payments): HMAC-SHA256 hex of the raw body plus a timestamp header within
 * ±`tolerance`. The guide's signature does not cover the timestamp, so dedupe on `id` is what stops a replay.
 */
export function payqi(options: PayqiProviderOptions): PayqiProvider {
  const name = options.name ?? 'payqi';
  const tolerance = options.tolerance ?? 300;
  const signatureHeader = (options.signatureHeader ?? 'x-payqi-signature').toLowerCase();
  const timestampHeader = (options.timestampHeader ?? 'x-payqi-timestamp').toLowerCase();
  const algorithm = options.algorithm ?? 'sha256';
  const hexLength = algorithm === 'sha512' ? 128 : 64;
  const decimals = assetDecimals(options.decimals);
  return {
    name,
    paths: endpointPaths(options.path),
    allowIps: options.allowIps,
    validate: () => [...secretProblems(options.secrets), ...toleranceProblems(options.tolerance), ...decimalsProblems(options.decimals)],
    verify(req: RawWebhookRequest) {
      const signatureValue = req.headers[signatureHeader];
      const timestampValue = req.headers[timestampHeader];
      if (!signatureValue) throw new WebhookVerificationError('missing-header', `The ${signatureHeader} header is missing.`);
      if (!timestampValue) throw new WebhookVerificationError('missing-header', `The ${timestampHeader} header is missing.`);
      const signature = signatureValue.trim().toLowerCase();
      if (signature.length !== hexLength || !/^[0-9a-f]+$/.test(signature)) {
        throw new WebhookVerificationError('malformed-header', `The ${signatureHeader} header must be the ${hexLength}-character hex HMAC-${algorithm.toUpperCase()} of the body.`);
      }
      if (!/^\d{1,12}$/.test(timestampValue.trim())) {
        throw new WebhookVerificationError('malformed-header', `The ${timestampHeader} header must be a unix time in seconds.`);
      }
      const matched = matchHmac(activeSecrets(options.secrets, req.receivedAt), [signature], (secret) => hmac(algorithm, secret, req.rawBody));
      if (matched < 0) throw new WebhookVerificationError('invalid-signature', `${signatureHeader} does not match this endpoint's webhook secret; sign the exact body.`);
      // Checked after the signature, so an unsigned request learns nothing about our clock.
      const skew = Math.abs(req.receivedAt.getTime() / 1000 - Number(timestampValue.trim()));
      if (skew > tolerance) {
        throw new WebhookVerificationError('timestamp-out-of-tolerance', `${timestampHeader} is more than ${tolerance} s away from our clock; resend the event with a fresh timestamp.`);
      }
      return { secretIndex: matched };
    },
    parse(req: RawWebhookRequest): ProviderEvent<PayqiEvent> {
      const event = parseEnvelope(req.rawBody);
      return {
        provider: name,
        id: event.id,
        type: event.type,
        payload: event,
        payment: normalizePayqiEvent(name, event, decimals),
        occurredAt: dateOf(event.created, { numericUnit: 's' }),
      };
    },
  };
}

function assetDecimals(overrides: Record<string, number> | undefined): Record<string, number> {
  const merged: Record<string, number> = { ...PAYQI_DEFAULT_DECIMALS };
  for (const [asset, places] of Object.entries(overrides ?? {})) merged[asset.trim().toUpperCase()] = places;
  return merged;
}

function toleranceProblems(tolerance: number | undefined): string[] {
  if (tolerance === undefined || (Number.isFinite(tolerance) && tolerance > 0)) return [];
  return ['tolerance: must be a positive number of seconds'];
}

function decimalsProblems(decimals: Record<string, number> | undefined): string[] {
  return Object.entries(decimals ?? {})
    .filter(([, places]) => !Number.isInteger(places) || places < 0 || places > MAX_DECIMALS)
    .map(([asset]) => `decimals.${asset}: must be an integer from 0 to ${MAX_DECIMALS}, so that amounts in minor units stay exact integers`);
}

function parseEnvelope(rawBody: Buffer): PayqiEvent {
  const event = parseJsonObject(rawBody, 'A PayQI event') as Partial<PayqiEvent>;
  if (typeof event.id !== 'string' || event.id === '' || typeof event.type !== 'string') throw new WebhookPayloadError('A PayQI event needs a string "id" and "type".');
  if (event.id.length > MAX_EVENT_ID_LENGTH) throw new WebhookPayloadError(`A PayQI event "id" must be at most ${MAX_EVENT_ID_LENGTH} characters.`);
  if (!isRecord(event.data)) throw new WebhookPayloadError('A PayQI event needs a "data" object.');
  return event as PayqiEvent;
}

/** The normalized payment view of a PayQI event, or undefined when it is not about a payment outcome. */
export function normalizePayqiEvent(provider: string, event: PayqiEvent, decimals: Record<string, number> = { ...PAYQI_DEFAULT_DECIMALS }): PaymentEvent | undefined {
  const type = EVENT_TYPES[event.type];
  const { data } = event;
  const metadata = isRecord(data.metadata) ? { ...data.metadata } : {};
  const reference = text(metadata.order_id);
  if (!type || !reference) return undefined;
  const currency = normalizeCurrency(data.currency);
  const txHash = text(data.tx_hash);
  return {
    type,
    provider,
    reference,
    transactionId: text(data.id),
    amountMinor: data.amount === undefined || data.amount === null ? undefined : minorUnits(data.amount, currency, decimals),
    currency,
    metadata: { ...metadata, ...(txHash ? { txHash } : {}) },
  };
}

function minorUnits(amount: number | string, currency: string | undefined, decimals: Record<string, number>): number {
  if (!currency) throw new WebhookPayloadError('A PayQI payment with an amount needs a "currency" to convert it.');
  const places = decimals[currency];
  if (places === undefined) {
    throw new WebhookPayloadError(`PayQI asset ${currency} has no known number of decimals; add it to the provider's \`decimals\` option, e.g. decimals: { ${currency}: 8 }.`);
  }
  return decimalToMinor(amount, places);
}
