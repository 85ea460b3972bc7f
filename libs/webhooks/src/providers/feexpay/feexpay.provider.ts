import type { PaymentEvent, PaymentEventType, ProviderEvent } from '../../events/payment-event';
import { ConfirmationUnavailableError } from '../../errors/confirmation-unavailable.error';
import { WebhookPayloadError } from '../../errors/webhook-payload.error';
import { WebhookVerificationError } from '../../errors/webhook-verification.error';
import { activeSecrets, type WebhookSecret } from '../../secrets/webhook-secret';
import { hmac, matchHmac, type HmacAlgorithm } from '../hmac';
import { fetchFailure } from '../http-error';
import { integerMinor, normalizeCurrency } from '../money';
import { boundedId, dateOf, isRecord, parseJsonObject, text } from '../payload';
import { endpointPaths, secretProblems, type EndpointOptions } from '../provider-options';
import type { RawWebhookRequest, WebhookProvider } from '../webhook-provider.interface';

export interface FeexpayConfirmOptions {
  /** FeexPay API origin, e.g. `https://api.feexpay.me` (a local fake in tests). */
  baseUrl: string;
  /** API token sent as `Authorization: Bearer <token>`. */
  token: string;
  /** Fetch implementation (a proxy agent, a test double). Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Give up on a look-up after this many milliseconds (the delivery is retried later). Default 10000. */
  timeoutMs?: number;
}

export interface FeexpayProviderOptions extends EndpointOptions {
  /** Webhook secrets; several during a rotation. */
  secrets: WebhookSecret[];
  /** When set, a `payment.completed` delivery is confirmed with FeexPay's status look-up before handlers run. */
  confirm?: FeexpayConfirmOptions;
  /** The guide is FeexPay's only spec: header and algorithm can follow it without a new release. Default `x-feexpay-signature`. */
  signatureHeader?: string;
  /** Default `sha256`. */
  algorithm?: HmacAlgorithm;
}

/** A FeexPay delivery as the integration guide describes it. */
export interface FeexpayEvent {
  event_type: string;
  transaction_id: string | number;
  /** The reference the payment was requested with; also the key of the status look-up. */
  reference?: string;
  /** FCFA, zero-decimal: already in minor units. */
  amount?: number | string;
  currency?: string;
  /** Mobile-money operator, e.g. `mtn_ci`. */
  provider?: string;
  status?: string;
  timestamp?: string | number;
  metadata?: Record<string, unknown> | null;
  [key: string]: unknown;
}

export type FeexpayProvider = WebhookProvider<FeexpayEvent>;

const DEFAULT_SIGNATURE_HEADER = 'x-feexpay-signature';
// A hung look-up must not hold the delivery: give up and let the library retry later.
const DEFAULT_CONFIRM_TIMEOUT_MS = 10_000;

const EVENT_TYPES: Record<string, PaymentEventType> = {
  'payment.completed': 'payment.completed',
  'payment.failed': 'payment.failed',
  'payment.pending': 'payment.pending',
  'refund.issued': 'payment.refunded',
};

const CONFIRMED_STATUSES: Record<string, PaymentEventType> = {
  SUCCESSFUL: 'payment.completed',
  SUCCESS: 'payment.completed',
  FAILED: 'payment.failed',
  INSUFFICIENT_FUNDS: 'payment.failed',
  TIMEOUT: 'payment.failed',
  PENDING: 'payment.pending',
};

/** FeexPay endpoint (West-African mobile money): HMAC-SHA256 hex of the raw body, optional status confirmation. */
export function feexpay(options: FeexpayProviderOptions): FeexpayProvider {
  const name = options.name ?? 'feexpay';
  const header = (options.signatureHeader ?? DEFAULT_SIGNATURE_HEADER).toLowerCase();
  const algorithm = options.algorithm ?? 'sha256';
  const hexLength = algorithm === 'sha512' ? 128 : 64;
  const provider: FeexpayProvider = {
    name,
    paths: endpointPaths(options.path),
    allowIps: options.allowIps,
    validate: () => [...secretProblems(options.secrets), ...confirmProblems(options.confirm)],
    verify(req: RawWebhookRequest) {
      const value = req.headers[header];
      if (!value) throw new WebhookVerificationError('missing-header', `The ${header} header is missing.`);
      const signature = value.trim().toLowerCase();
      if (signature.length !== hexLength || !/^[0-9a-f]+$/.test(signature)) {
        throw new WebhookVerificationError('malformed-header', `The ${header} header must be the ${hexLength}-character hex HMAC-${algorithm.toUpperCase()} of the body.`);
      }
      const matched = matchHmac(activeSecrets(options.secrets, req.receivedAt), [signature], (secret) => hmac(algorithm, secret, req.rawBody));
      if (matched < 0) throw new WebhookVerificationError('invalid-signature', `${header} does not match this endpoint's webhook secret; sign the exact body.`);
      return { secretIndex: matched };
    },
    parse(req: RawWebhookRequest): ProviderEvent<FeexpayEvent> {
      const event = parseBody(req.rawBody);
      return {
        provider: name,
        id: boundedId(`${text(event.transaction_id)}:${event.event_type}`),
        type: event.event_type,
        payload: event,
        payment: normalizeFeexpayEvent(name, event),
        // ISO strings or unix times, in seconds or milliseconds.
        occurredAt: dateOf(event.timestamp, { numericUnit: 'auto' }),
      };
    },
  };
  if (options.confirm) {
    const confirm = options.confirm;
    provider.confirm = (event) => confirmWithFeexpay(confirm, event);
  }
  return provider;
}

function confirmProblems(confirm: FeexpayConfirmOptions | undefined): string[] {
  if (confirm === undefined) return [];
  const problems: string[] = [];
  let url: URL | undefined;
  try {
    url = new URL(confirm.baseUrl);
  } catch {
    problems.push('confirm.baseUrl: not a valid URL; give the API origin, e.g. https://api.feexpay.me');
  }
  if (url && url.protocol !== 'https:' && url.protocol !== 'http:') problems.push('confirm.baseUrl: must be an http(s) URL');
  if (typeof confirm.token !== 'string' || confirm.token.trim() === '') problems.push('confirm.token: the API token is empty');
  else if (confirm.token.trim() !== confirm.token) problems.push('confirm.token: the token has surrounding whitespace; remove it');
  if (confirm.fetch !== undefined && typeof confirm.fetch !== 'function') problems.push('confirm.fetch: must be a fetch function');
  if (confirm.timeoutMs !== undefined && !(Number.isInteger(confirm.timeoutMs) && confirm.timeoutMs > 0)) {
    problems.push('confirm.timeoutMs: must be a positive integer number of milliseconds');
  }
  return problems;
}

function parseBody(rawBody: Buffer): FeexpayEvent {
  const event = parseJsonObject(rawBody, 'A FeexPay delivery') as Partial<FeexpayEvent>;
  if (typeof event.event_type !== 'string' || event.event_type === '') throw new WebhookPayloadError('A FeexPay delivery needs a string "event_type".');
  if (text(event.transaction_id) === undefined) throw new WebhookPayloadError('A FeexPay delivery needs a "transaction_id".');
  return event as FeexpayEvent;
}

/** The normalized payment view of a FeexPay delivery, or undefined when it is not about a payment outcome. */
export function normalizeFeexpayEvent(provider: string, event: FeexpayEvent): PaymentEvent | undefined {
  const type = EVENT_TYPES[event.event_type];
  const reference = text(event.reference);
  if (!type || !reference) return undefined;
  const metadata = isRecord(event.metadata) ? { ...event.metadata } : {};
  return {
    type,
    provider,
    reference,
    transactionId: text(event.transaction_id),
    amountMinor: event.amount === undefined || event.amount === null ? undefined : integerMinor(event.amount),
    currency: normalizeCurrency(event.currency),
    // `provider` on the wire is the mobile-money operator, not ours: kept under a name that cannot clash.
    metadata: { ...metadata, ...(text(event.provider) ? { operator: text(event.provider) } : {}) },
  };
}

/**
 * Asks FeexPay for the authoritative status of a `payment.completed` delivery. Other events pass
 * unchanged. Any doubt about the answer is `ConfirmationUnavailableError`: retried, never trusted.
 */
async function confirmWithFeexpay(options: FeexpayConfirmOptions, event: ProviderEvent<FeexpayEvent>): Promise<ProviderEvent<FeexpayEvent>> {
  const payment = event.payment;
  if (!payment || payment.type !== 'payment.completed') return event;
  const reference = text(event.payload.reference) ?? payment.reference;
  const url = `${options.baseUrl.replace(/\/+$/, '')}/api/transactions/getrequesttopay/integration/${encodeURIComponent(reference)}`;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: 'GET',
      headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new ConfirmationUnavailableError(`The FeexPay status look-up for reference "${reference}" failed: ${errorText(error, timeoutMs)}.`, { cause: error });
  }
  if (!response.ok) {
    const hint = response.status === 401 || response.status === 403 ? ' (check confirm.token)' : '';
    throw new ConfirmationUnavailableError(`The FeexPay status look-up for reference "${reference}" answered HTTP ${response.status}${hint}.`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new ConfirmationUnavailableError(`The FeexPay status look-up for reference "${reference}" did not answer JSON.`, { cause: error });
  }
  const raw = body && typeof body === 'object' ? (body as { status?: unknown }).status : undefined;
  const status = typeof raw === 'string' ? raw.trim().toUpperCase() : undefined;
  const confirmed = status === undefined ? undefined : CONFIRMED_STATUSES[status];
  if (!status || !confirmed) {
    throw new ConfirmationUnavailableError(`The FeexPay status look-up for reference "${reference}" answered an unknown status ${JSON.stringify(raw ?? null)}.`);
  }
  return { ...event, payment: { ...payment, type: confirmed, metadata: { ...payment.metadata, confirmedStatus: status } } };
}

function errorText(error: unknown, timeoutMs: number): string {
  const failure = fetchFailure(error);
  if (failure.timedOut) return `no answer within ${timeoutMs} ms`;
  const message = failure.message ?? String(error);
  // fetch says only "fetch failed"; the system error code (ECONNREFUSED…) is in its cause.
  return failure.code === undefined ? message : `${message} (${failure.code})`;
}
