import type { ProviderEvent } from '../../events/payment-event';
import { ConfirmationUnavailableError } from '../../errors/confirmation-unavailable.error';
import { WebhookVerificationError } from '../../errors/webhook-verification.error';
import { activeSecrets, secretValue, type WebhookSecret } from '../../secrets/webhook-secret';
import { safeEqual } from '../hmac';
import { endpointPaths, secretProblems, type EndpointOptions } from '../provider-options';
import { boundedId } from '../payload';
import type { RawWebhookRequest, VerificationResult, WebhookProvider } from '../webhook-provider.interface';
import { MvolaApiClient, type MvolaApiOptions } from './mvola-api.client';
import { MvolaApiError } from './mvola-api.error';
import { callbackStatus, lookupIdOf, normalizeMvolaCallback, occurredAtOf, parseMvolaCallback, type MvolaCallback } from './mvola-callback';
import { mvolaPaymentType } from './mvola-status';

export interface MvolaProviderOptions extends EndpointOptions {
  /**
   * The secret token put in the callback URL (`?token=…` or last path segment); several during a
   * rotation. URL-safe characters only.
   */
  callbackToken: WebhookSecret | WebhookSecret[];
  /** MVola's API, asked to confirm every callback before handlers run. */
  api: MvolaApiOptions;
}

export interface MvolaProvider extends WebhookProvider<MvolaCallback> {
  /** The API client confirmations use; the app can start payments with it (one shared token cache). */
  readonly client: MvolaApiClient;
  validate(): string[];
  /** Always asks MVola; throws `ConfirmationUnavailableError` when it cannot answer. */
  confirm(event: ProviderEvent<MvolaCallback>): Promise<ProviderEvent<MvolaCallback>>;
}

// Characters that survive a URL query value and a path segment unchanged.
const URL_SAFE_TOKEN = /^[A-Za-z0-9._~-]+$/;

/**
 * MVola merchant-pay endpoint. MVola signs nothing: a callback is authenticated by the token in its
 * URL, then treated as a hint and confirmed with MVola's status look-up, whose answer is authoritative.
 */
export function mvola(options: MvolaProviderOptions): MvolaProvider {
  const name = options.name ?? 'mvola';
  const tokens = Array.isArray(options.callbackToken) ? options.callbackToken : [options.callbackToken];
  // Spread so a missing `api` reaches validate() and its message instead of throwing here.
  const client = new MvolaApiClient({ ...options.api });
  return {
    name,
    paths: endpointPaths(options.path),
    methods: ['PUT', 'POST'],
    allowIps: options.allowIps,
    client,
    validate: () => [...tokenProblems(options.callbackToken), ...apiProblems(options.api)],
    verify(req: RawWebhookRequest): VerificationResult {
      const query = req.query.token;
      const presented = typeof query === 'string' && query !== '' ? query : req.pathToken;
      if (!presented) {
        throw new WebhookVerificationError(
          'invalid-token',
          'The callback URL must carry the endpoint token: ?token=<token> (or /<token> as its last path segment).',
        );
      }
      // Every active token is compared (rotation), without stopping at the first match.
      let matched = -1;
      for (const token of activeSecrets(tokens, req.receivedAt)) {
        if (safeEqual(token.value, presented) && matched < 0) matched = token.index;
      }
      if (matched < 0) {
        throw new WebhookVerificationError('invalid-token', "The token in the callback URL does not match this endpoint's callback token.");
      }
      return { secretIndex: matched };
    },
    parse(req: RawWebhookRequest): ProviderEvent<MvolaCallback> {
      const callback = parseMvolaCallback(req.rawBody);
      const status = callbackStatus(callback);
      return {
        provider: name,
        id: boundedId(`${lookupIdOf(callback)}:${status}`),
        type: status,
        payload: callback,
        payment: normalizeMvolaCallback(name, callback),
        occurredAt: occurredAtOf(callback),
      };
    },
    async confirm(event: ProviderEvent<MvolaCallback>): Promise<ProviderEvent<MvolaCallback>> {
      const id = lookupIdOf(event.payload);
      let answer;
      try {
        answer = await client.transactionStatus(id);
      } catch (error) {
        const why = error instanceof MvolaApiError ? error.message : `MVola status look-up for ${id} failed.`;
        throw new ConfirmationUnavailableError(`${why} The delivery will be confirmed again later.`, { cause: error });
      }
      if (answer.serverCorrelationId !== id) {
        throw new ConfirmationUnavailableError(
          `MVola status look-up for ${id}: the answer is about ${answer.serverCorrelationId}. The delivery will be confirmed again later.`,
        );
      }
      if (!mvolaPaymentType(answer.status)) {
        throw new ConfirmationUnavailableError(
          `MVola status look-up for ${id}: unknown status "${answer.status.slice(0, 40)}". The delivery will be confirmed again later.`,
        );
      }
      const payment = normalizeMvolaCallback(name, event.payload, answer.status);
      if (!payment) return { ...event, payment: undefined };
      return {
        ...event,
        payment: {
          ...payment,
          transactionId: answer.objectReference ?? payment.transactionId,
          metadata: { ...payment.metadata, confirmedStatus: answer.status },
        },
      };
    },
  };
}

function tokenProblems(callbackToken: WebhookSecret | WebhookSecret[] | undefined): string[] {
  const list = Array.isArray(callbackToken) ? callbackToken : callbackToken === undefined ? [] : [callbackToken];
  const problems = secretProblems(list, 'callbackToken');
  list.forEach((entry, index) => {
    const value = secretValue(entry);
    if (typeof value === 'string' && value.trim() === value && value !== '' && !URL_SAFE_TOKEN.test(value)) {
      problems.push(`callbackToken[${index}]: use only A-Z a-z 0-9 . _ ~ - so the token survives the callback URL unchanged`);
    }
  });
  // A single token is configured without brackets; name it the way it was written.
  return Array.isArray(callbackToken) ? problems : problems.map((problem) => problem.replace(/^callbackToken\[0\]/, 'callbackToken'));
}

function apiProblems(api: MvolaApiOptions | undefined): string[] {
  if (!api) return ['api: MVola API options are required (baseUrl, consumerKey, consumerSecret, partnerName, partnerMsisdn), to confirm callbacks'];
  const problems: string[] = [];
  if (!isHttpUrl(api.baseUrl)) problems.push('api.baseUrl: must be an http(s) URL such as https://api.mvola.mg (sandbox: https://devapi.mvola.mg)');
  for (const key of ['consumerKey', 'consumerSecret', 'partnerName', 'partnerMsisdn'] as const) {
    const value = api[key];
    if (typeof value !== 'string' || value.trim() === '') problems.push(`api.${key}: is empty`);
    else if (value.trim() !== value) problems.push(`api.${key}: has surrounding whitespace; remove it`);
  }
  if (api.timeoutMs !== undefined && !(Number.isFinite(api.timeoutMs) && api.timeoutMs > 0)) {
    problems.push('api.timeoutMs: must be a positive number of milliseconds');
  }
  return problems;
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
