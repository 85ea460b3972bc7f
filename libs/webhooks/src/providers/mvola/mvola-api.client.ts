import { randomUUID } from 'node:crypto';
import { fetchFailure } from '../http-error';
import { isRecord } from '../payload';
import { MvolaApiError } from './mvola-api.error';

/** How to reach MVola's merchant-pay API. */
export interface MvolaApiOptions {
  /** `https://devapi.mvola.mg` (sandbox), `https://api.mvola.mg` (production), or a local fake in tests. */
  baseUrl: string;
  consumerKey: string;
  consumerSecret: string;
  /** The merchant's name as registered with MVola (`partnerName` header). */
  partnerName: string;
  /** The merchant's MVola number, credited by payments (`0343500004`). */
  partnerMsisdn: string;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Per call, token request included. Default 10 000 ms. */
  timeoutMs?: number;
  /** Clock for the access token's expiry. Default: the system clock. */
  clock?: () => Date;
}

/** MVola's answer to a status look-up. */
export interface MvolaTransactionStatus {
  /** Lower case: `pending`, `completed`, `failed`… */
  status: string;
  serverCorrelationId: string;
  notificationMethod?: string;
  /** MVola's transaction reference, once there is one. */
  objectReference?: string;
}

/** A merchant payment to start: MVola asks the payer to approve it on their phone. */
export interface MvolaMerchantPaymentRequest {
  /** The merchant's reference; sent as `X-CorrelationID` and echoed in the callback's metadata. */
  reference: string;
  /** Where MVola PUTs the outcome, token included (`https://…/webhooks/mvola?token=…`). */
  callbackUrl: string;
  /** Whole Ariary (MVola takes no decimals). */
  amount: number | string;
  /** The payer's MVola number (`0343500003`). */
  phone: string;
  /** Shown to the payer. Default `Payment <reference>`. */
  description?: string;
  /** Default: now. */
  requestDate?: Date;
}

/** MVola's acknowledgement of a started payment; the outcome comes later by callback. */
export interface MvolaMerchantPayment {
  serverCorrelationId: string;
  status: string;
}

const MERCHANT_PAY_PATH = '/mvola/mm/transactions/type/merchantpay/1.0.0/';
const TOKEN_SCOPE = 'EXT_INT_MVOLA_SCOPE';
const DEFAULT_TIMEOUT_MS = 10_000;

interface CachedToken {
  value: string;
  /** Epoch ms after which the token is no longer used. */
  renewAt: number;
}

interface ApiAnswer {
  status: number;
  body: unknown;
}

/**
 * Client for MVola's merchant-pay API: OAuth client-credentials token (cached, shared by concurrent
 * calls), status look-up and payment initiation. Every failure is an `MvolaApiError`.
 */
export class MvolaApiClient {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly clock: () => Date;
  private token?: CachedToken;
  private tokenRequest?: Promise<string>;

  constructor(private readonly options: MvolaApiOptions) {
    this.baseUrl = String(options.baseUrl ?? '').replace(/\/+$/, '');
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.clock = options.clock ?? (() => new Date());
  }

  /** A valid access token, fetched once and reused until shortly before it expires. */
  async accessToken(): Promise<string> {
    if (this.token && this.clock().getTime() < this.token.renewAt) return this.token.value;
    // Concurrent callers share one token request.
    this.tokenRequest ??= this.requestToken().finally(() => {
      this.tokenRequest = undefined;
    });
    return this.tokenRequest;
  }

  /** Forgets the cached token, so the next call asks for a new one. */
  dropAccessToken(): void {
    this.token = undefined;
  }

  /** The authoritative status of a merchant payment. */
  async transactionStatus(serverCorrelationId: string): Promise<MvolaTransactionStatus> {
    const what = `MVola status look-up for ${serverCorrelationId}`;
    const token = await this.accessToken();
    const answer = await this.call(what, `${this.baseUrl}${MERCHANT_PAY_PATH}status/${encodeURIComponent(serverCorrelationId)}`, {
      method: 'GET',
      headers: this.headers(token, randomUUID()),
    });
    this.checkAnswer(what, answer, token);
    const body = answer.body;
    if (!isRecord(body) || typeof body.status !== 'string' || body.status === '') {
      throw new MvolaApiError('invalid-response', `${what}: the answer has no "status".`, answer.status);
    }
    return {
      status: body.status.toLowerCase(),
      serverCorrelationId: typeof body.serverCorrelationId === 'string' ? body.serverCorrelationId : serverCorrelationId,
      ...(typeof body.notificationMethod === 'string' ? { notificationMethod: body.notificationMethod } : {}),
      ...(typeof body.objectReference === 'string' && body.objectReference !== '' ? { objectReference: body.objectReference } : {}),
    };
  }

  /** Starts a merchant payment from `phone` to the partner's number; the outcome arrives at `callbackUrl`. */
  async initiateMerchantPayment(request: MvolaMerchantPaymentRequest): Promise<MvolaMerchantPayment> {
    const what = `MVola merchant payment ${request.reference}`;
    const amount = String(request.amount).trim();
    if (!/^\d+$/.test(amount) || Number(amount) <= 0) {
      throw new MvolaApiError('invalid-request', `${what}: amount must be a positive whole number of Ariary, got ${JSON.stringify(request.amount)}.`);
    }
    const token = await this.accessToken();
    const answer = await this.call(what, `${this.baseUrl}${MERCHANT_PAY_PATH}`, {
      method: 'POST',
      headers: {
        ...this.headers(token, request.reference),
        'X-Callback-URL': request.callbackUrl,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        amount,
        currency: 'Ar',
        descriptionText: descriptionText(request.description ?? `Payment ${request.reference}`),
        requestDate: (request.requestDate ?? this.clock()).toISOString(),
        debitParty: [{ key: 'msisdn', value: request.phone }],
        creditParty: [{ key: 'msisdn', value: this.options.partnerMsisdn }],
        metadata: [
          { key: 'partnerName', value: this.options.partnerName },
          // Foreign-currency fields MVola requires even for Ariary-only payments.
          { key: 'fc', value: 'USD' },
          { key: 'amountFc', value: '1' },
        ],
        requestingOrganisationTransactionReference: request.reference,
      }),
    });
    this.checkAnswer(what, answer, token);
    const body = answer.body;
    if (!isRecord(body) || typeof body.serverCorrelationId !== 'string' || body.serverCorrelationId === '' || typeof body.status !== 'string') {
      throw new MvolaApiError('invalid-response', `${what}: the answer has no "serverCorrelationId" and "status".`, answer.status);
    }
    return { serverCorrelationId: body.serverCorrelationId, status: body.status.toLowerCase() };
  }

  private async requestToken(): Promise<string> {
    const what = 'MVola access token request';
    const credentials = Buffer.from(`${this.options.consumerKey}:${this.options.consumerSecret}`).toString('base64');
    const requestedAt = this.clock().getTime();
    const answer = await this.call(what, `${this.baseUrl}/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${credentials}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Cache-Control': 'no-cache',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: TOKEN_SCOPE }).toString(),
    });
    if (answer.status === 400 || answer.status === 401 || answer.status === 403) {
      throw new MvolaApiError(
        'unauthorized',
        `${what}: MVola refused the credentials (${answer.status}${detailOf(answer.body)}); check api.consumerKey and api.consumerSecret.`,
        answer.status,
      );
    }
    this.checkAnswer(what, answer);
    const body = answer.body;
    if (!isRecord(body) || typeof body.access_token !== 'string' || body.access_token === '') {
      throw new MvolaApiError('invalid-response', `${what}: the answer has no "access_token".`, answer.status);
    }
    const lifetimeMs = secondsOf(body.expires_in) * 1000;
    // Renew a little before MVola's expiry so a token never expires mid-request.
    this.token = { value: body.access_token, renewAt: requestedAt + lifetimeMs - Math.min(60_000, lifetimeMs / 10) };
    return body.access_token;
  }

  private headers(token: string, correlationId: string): Record<string, string> {
    return {
      Authorization: `Bearer ${token}`,
      Version: '1.0',
      'X-CorrelationID': correlationId,
      UserLanguage: 'FR',
      UserAccountIdentifier: `msisdn;${this.options.partnerMsisdn}`,
      partnerName: this.options.partnerName,
      'Cache-Control': 'no-cache',
    };
  }

  /** Throws unless the answer is a 2xx; a 401 also drops the token it was refused with. */
  private checkAnswer(what: string, answer: ApiAnswer, token?: string): void {
    if (answer.status >= 200 && answer.status < 300) return;
    if (answer.status === 401) {
      if (token !== undefined && this.token?.value === token) this.dropAccessToken();
      throw new MvolaApiError('unauthorized', `${what}: MVola refused the access token (401); a new token will be requested.`, 401);
    }
    throw new MvolaApiError('http', `${what}: MVola answered ${answer.status}${detailOf(answer.body)}.`, answer.status);
  }

  private async call(what: string, url: string, init: RequestInit): Promise<ApiAnswer> {
    let text: string;
    let status: number;
    try {
      const response = await this.fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
      status = response.status;
      text = await response.text();
    } catch (error) {
      const failure = fetchFailure(error);
      if (failure.timedOut) {
        throw new MvolaApiError('timeout', `${what}: no answer from MVola within ${this.timeoutMs} ms.`, undefined, { cause: error });
      }
      const code = failure.code ?? failure.message ?? 'unknown error';
      throw new MvolaApiError('network', `${what}: MVola could not be reached (${code}).`, undefined, { cause: error });
    }
    if (text === '') return { status, body: undefined };
    try {
      return { status, body: JSON.parse(text) as unknown };
    } catch {
      if (status >= 200 && status < 300) {
        throw new MvolaApiError('invalid-response', `${what}: MVola answered ${status} with a body that is not JSON.`, status);
      }
      return { status, body: undefined };
    }
  }
}

// MVola refuses descriptions with special characters or over 50 characters.
function descriptionText(text: string): string {
  return text.replace(/[^\p{L}\p{N} .,_-]/gu, ' ').replace(/\s+/g, ' ').trim().slice(0, 50);
}

function secondsOf(value: unknown): number {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  // Without a usable lifetime, keep the token briefly rather than not at all.
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 300;
}

/** MVola's own error description, short, for the operator. */
function detailOf(body: unknown): string {
  if (!isRecord(body)) return '';
  const fault = isRecord(body.fault) ? body.fault : {};
  const detail = [body.errorDescription, fault.description, fault.message, body.error_description, body.error].find(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  return detail ? `: ${detail.slice(0, 200)}` : '';
}
