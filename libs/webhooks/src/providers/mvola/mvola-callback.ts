import type { PaymentEvent } from '../../events/payment-event';
import { WebhookPayloadError } from '../../errors/webhook-payload.error';
import { integerMinor, normalizeCurrency } from '../money';
import { dateOf, isRecord, parseJsonObject } from '../payload';
import { mvolaPaymentType } from './mvola-status';

/** One `{ key, value }` entry of MVola's party and metadata lists. */
export interface MvolaKeyValue {
  key: string;
  value: string;
}

/** The callback as MVola's merchant-pay API sends it (captured deliveries). No amount in it. */
export interface MvolaMerchantPayCallback {
  transactionStatus: string;
  serverCorrelationId: string;
  /** MVola's own transaction reference. */
  transactionReference?: string;
  requestDate?: string;
  debitParty?: MvolaKeyValue[];
  creditParty?: MvolaKeyValue[];
  fees?: { feeAmount: string | number }[];
  /** Carries the merchant's reference as `XCorrelationId`. */
  metadata?: MvolaKeyValue[];
  requestingOrganisationTransactionReference?: string;
  amount?: string | number;
  currency?: string;
}

/** The integration guide's variant of the callback. */
export interface MvolaGuideCallback {
  transactionId: string;
  status: string;
  serverCorrelationId?: string;
  amount?: string | number;
  /** "Ar" (Ariary) on the wire. */
  currency?: string;
  /** The merchant's reference. */
  externalId?: string;
  requestDate?: string;
  debitParty?: MvolaKeyValue[];
  metadata?: MvolaKeyValue[] | Record<string, unknown>;
}

/** Either shape of an MVola callback body, as received. */
export type MvolaCallback = MvolaMerchantPayCallback | MvolaGuideCallback;

/** Parses and checks a callback body; throws `WebhookPayloadError` when it is neither known shape. */
export function parseMvolaCallback(rawBody: Buffer): MvolaCallback {
  const body = parseJsonObject(rawBody, 'An MVola callback');
  if ('transactionStatus' in body) {
    if (!nonEmptyString(body.transactionStatus) || !nonEmptyString(body.serverCorrelationId)) {
      throw new WebhookPayloadError('An MVola callback needs a string "transactionStatus" and "serverCorrelationId".');
    }
  } else if (!nonEmptyString(body.status) || !(nonEmptyString(body.transactionId) || nonEmptyString(body.serverCorrelationId))) {
    throw new WebhookPayloadError(
      'An MVola callback needs "transactionStatus" and "serverCorrelationId", or "status" and "transactionId".',
    );
  }
  for (const list of ['debitParty', 'creditParty'] as const) {
    if (body[list] !== undefined && body[list] !== null && !Array.isArray(body[list])) {
      throw new WebhookPayloadError(`"${list}" must be a list of { key, value }.`);
    }
  }
  if (body.metadata !== undefined && body.metadata !== null && !isRecord(body.metadata) && !Array.isArray(body.metadata)) {
    throw new WebhookPayloadError('"metadata" must be a list of { key, value } or an object.');
  }
  const id = lookupIdOf(body as unknown as MvolaCallback);
  if (id.length > 200) throw new WebhookPayloadError('"serverCorrelationId" / "transactionId" is longer than 200 characters.');
  // Fails now, with a 400, rather than later in the dispatcher.
  if (body.amount !== undefined && body.amount !== null) integerMinor(body.amount);
  return body as unknown as MvolaCallback;
}

/** The status the callback claims (lower case). */
export function callbackStatus(callback: MvolaCallback): string {
  return ('transactionStatus' in callback ? callback.transactionStatus : callback.status).toLowerCase();
}

/** The id MVola's status look-up takes: `serverCorrelationId`, else the guide's `transactionId`. */
export function lookupIdOf(callback: MvolaCallback): string {
  return callback.serverCorrelationId || (callback as MvolaGuideCallback).transactionId;
}

/**
 * The normalized payment view of a callback, typed from `status` (the callback's own, or the one MVola
 * confirmed). Undefined when the status is unknown or the merchant's reference is missing.
 */
export function normalizeMvolaCallback(provider: string, callback: MvolaCallback, status = callbackStatus(callback)): PaymentEvent | undefined {
  const type = mvolaPaymentType(status);
  const metadata = metadataOf(callback.metadata);
  const reference = referenceOf(callback, metadata);
  if (!type || !reference) return undefined;
  const amount = callback.amount ?? undefined;
  const phone = msisdnOf(callback.debitParty);
  return {
    type,
    provider,
    reference,
    transactionId: 'transactionStatus' in callback ? callback.transactionReference || undefined : callback.transactionId,
    amountMinor: amount === undefined ? undefined : integerMinor(amount),
    // MVola only moves Ariary; an amount without a currency is MGA.
    currency: normalizeCurrency(callback.currency) ?? (amount === undefined ? undefined : 'MGA'),
    metadata: {
      ...metadata,
      ...(callback.serverCorrelationId ? { serverCorrelationId: callback.serverCorrelationId } : {}),
      callbackStatus: callbackStatus(callback),
    },
    customer: phone ? { phone } : undefined,
  };
}

/** When MVola says the request was made, if it is a valid date. */
export function occurredAtOf(callback: MvolaCallback): Date | undefined {
  return dateOf(callback.requestDate);
}

function referenceOf(callback: MvolaCallback, metadata: Record<string, unknown>): string | undefined {
  // MVola echoes the X-CorrelationID header of the initiation; spellings of the key vary.
  const key = Object.keys(metadata).find((name) => name.replace(/[^a-z]/gi, '').toLowerCase() === 'xcorrelationid');
  const candidates = [
    key === undefined ? undefined : metadata[key],
    (callback as MvolaGuideCallback).externalId,
    (callback as MvolaMerchantPayCallback).requestingOrganisationTransactionReference,
  ];
  const found = candidates.find(nonEmptyString);
  return found;
}

function metadataOf(metadata: MvolaCallback['metadata'] | null): Record<string, unknown> {
  if (!metadata) return {};
  if (!Array.isArray(metadata)) return { ...metadata };
  const entries: Record<string, unknown> = {};
  for (const entry of metadata) {
    if (isRecord(entry) && nonEmptyString(entry.key)) entries[entry.key] = entry.value;
  }
  return entries;
}

function msisdnOf(parties: MvolaKeyValue[] | undefined | null): string | undefined {
  const party = parties?.find((entry) => isRecord(entry) && entry.key === 'msisdn' && nonEmptyString(entry.value));
  return party?.value;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
