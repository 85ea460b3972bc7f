import { randomInt, randomUUID } from 'node:crypto';
import type { MvolaCallback, MvolaGuideCallback, MvolaMerchantPayCallback } from '../providers/mvola/mvola-callback';
import { jsonBody, type SignedRequest } from './signed-request';

/** `captured`: the body MVola's API sends; `guide`: the integration guide's variant. */
export type MvolaCallbackShape = 'captured' | 'guide';

/** What an MVola callback body says; every field has a default. */
export interface MvolaCallbackFields {
  shape?: MvolaCallbackShape;
  /** Default `completed`. */
  status?: string;
  /** Default: a random UUID. The guide shape sends it as `transactionId`. */
  serverCorrelationId?: string;
  /** The merchant's reference (`metadata.XCorrelationId`, guide: `externalId`). Default `REF-TEST`. */
  reference?: string;
  /** Payer. Default `0343500003`. */
  phone?: string;
  /** Merchant. Default `0343500004`. */
  partnerMsisdn?: string;
  /** MVola's transaction reference (captured shape). Default: random digits. */
  transactionReference?: string;
  /** Guide shape only (MVola's own callback carries no amount). Default 1000. */
  amount?: number | string;
  /** Default: now. */
  requestDate?: Date;
}

export interface MvolaCallbackOptions extends MvolaCallbackFields {
  /** The endpoint's callback token. */
  token: string;
  /** Where the token goes: `?token=…` (default) or the last path segment. */
  tokenIn?: 'query' | 'path';
  /** Default `/webhooks/mvola`. */
  endpoint?: string;
  /** Default `PUT`, as MVola calls. */
  method?: 'PUT' | 'POST';
  /** An exact body (object serialized as is, or a string), instead of one built from the fields. */
  body?: unknown;
}

/** An MVola callback request: MVola signs nothing, the token travels in the URL. */
export interface MvolaCallbackRequest extends SignedRequest {
  method: 'PUT' | 'POST';
  /** Path and query to send to, e.g. `/webhooks/mvola?token=…`. */
  url: string;
  /** The path alone. */
  path: string;
  query: Record<string, string>;
  /** The token when it is the last path segment. */
  pathToken?: string;
}

/** Builds an MVola callback request, by default the captured shape of a completed payment. */
export function mvolaCallback(options: MvolaCallbackOptions): MvolaCallbackRequest {
  const endpoint = (options.endpoint ?? '/webhooks/mvola').replace(/\/+$/, '');
  const encoded = encodeURIComponent(options.token);
  const inPath = options.tokenIn === 'path';
  const path = inPath ? `${endpoint}/${encoded}` : endpoint;
  return {
    method: options.method ?? 'PUT',
    url: inPath ? path : `${path}?token=${encoded}`,
    path,
    query: inPath ? {} : { token: options.token },
    ...(inPath ? { pathToken: options.token } : {}),
    body: options.body === undefined ? JSON.stringify(mvolaCallbackBody(options)) : jsonBody(options.body),
    headers: { 'content-type': 'application/json' },
  };
}

/** The body of an MVola callback, in either shape. */
export function mvolaCallbackBody(fields: MvolaCallbackFields = {}): MvolaCallback {
  const serverCorrelationId = fields.serverCorrelationId ?? randomUUID();
  const status = fields.status ?? 'completed';
  const reference = fields.reference ?? 'REF-TEST';
  const requestDate = (fields.requestDate ?? new Date()).toISOString();
  if (fields.shape === 'guide') {
    const guide: MvolaGuideCallback = {
      transactionId: serverCorrelationId,
      status,
      amount: fields.amount ?? 1000,
      currency: 'Ar',
      externalId: reference,
      requestDate,
    };
    return guide;
  }
  const captured: MvolaMerchantPayCallback = {
    transactionStatus: status,
    serverCorrelationId,
    transactionReference: fields.transactionReference ?? String(randomInt(100_000_000, 999_999_999)),
    requestDate,
    debitParty: [{ key: 'msisdn', value: fields.phone ?? '0343500003' }],
    creditParty: [{ key: 'msisdn', value: fields.partnerMsisdn ?? '0343500004' }],
    fees: [{ feeAmount: '0' }],
    metadata: [{ key: 'XCorrelationId', value: reference }],
  };
  return captured;
}
