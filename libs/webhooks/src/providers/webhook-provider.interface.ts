import type { ProviderEvent } from '../events/payment-event';

/** What a provider strategy sees of an HTTP delivery: the exact bytes, never a re-serialized body. */
export interface RawWebhookRequest {
  method: string;
  /** Request path without the query string. */
  path: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | undefined>>;
  /** The last path segment after the endpoint's own path, if any (`/webhooks/mvola/<token>`). */
  pathToken?: string;
  rawBody: Buffer;
  /** Client address, honouring the application's `trust proxy` setting. */
  ip: string;
  /** The module's clock at reception, for timestamp tolerance. */
  receivedAt: Date;
}

/** What a successful verification may tell: which configured secret matched (rotation telemetry). */
export interface VerificationResult {
  secretIndex?: number;
}

/**
 * A provider strategy: verifies, parses and normalizes one provider's deliveries.
 * Built-ins are factory functions (`stripe({...})`); any object implementing this works.
 */
export interface WebhookProvider<TPayload = unknown> {
  /** Endpoint name, unique in the module: 'stripe', 'stripe-eu', 'paystack'. */
  readonly name: string;
  /** Paths served besides `/<prefix>/<name>`, e.g. a URL already registered in a dashboard. */
  readonly paths?: readonly string[];
  /** HTTP methods the provider calls with. Default ['POST']. */
  readonly methods?: readonly string[];
  /** Addresses (IPv4/IPv6 literals or CIDR ranges) allowed to call; empty or absent allows any. */
  readonly allowIps?: readonly string[];
  /**
   * Headers that carry a credential (an API key, a bearer token), stored as `[redacted]` and so never
   * shown by the admin API. `authorization`, `cookie` and `proxy-authorization` always are.
   */
  readonly credentialHeaders?: readonly string[];
  /**
   * Optional start-up check of the strategy's own options: one message per problem, each starting with
   * the option path relative to the provider (`secrets[1]: the secret is empty`). Never the secret.
   */
  validate?(): string[];
  /** Throws `WebhookVerificationError` when the delivery cannot be trusted. */
  verify(req: RawWebhookRequest): VerificationResult | void;
  /** Throws `WebhookPayloadError` when the verified body is not a delivery it understands. */
  parse(req: RawWebhookRequest): ProviderEvent<TPayload>;
  /**
   * Optional: ask the provider's API before handlers run. Runs after the acknowledgement; throw
   * `ConfirmationUnavailableError` to have the delivery retried later.
   */
  confirm?(event: ProviderEvent<TPayload>): Promise<ProviderEvent<TPayload>>;
}
