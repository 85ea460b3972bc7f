// Shared scaffolding of the provider specs. Named *spec.ts (but not *.spec.ts) so that Jest does not run
// it as a suite and the library build (tsconfig.lib.json excludes **/*spec.ts) does not ship it.
import { WebhookVerificationError } from '../errors/webhook-verification.error';
import { jsonBody, type SignedRequest } from '../testing/signed-request';
import type { RawWebhookRequest } from './webhook-provider.interface';

/** A signed body and its headers, as the testing signers answer; MVola callbacks also bring method, path, query and path token. */
export type SpecDelivery = SignedRequest & Partial<Pick<RawWebhookRequest, 'method' | 'path' | 'query' | 'pathToken'>>;

/**
 * The request a provider strategy would see for `signed`: a POST from 127.0.0.1 with no query, unless
 * `signed` or `overrides` say otherwise. `receivedAt` is required, so that every spec names its clock.
 */
export function rawRequest(signed: SpecDelivery, overrides: Partial<RawWebhookRequest> & Pick<RawWebhookRequest, 'receivedAt'>): RawWebhookRequest {
  return {
    method: signed.method ?? 'POST',
    path: signed.path ?? '/webhooks/test',
    headers: signed.headers,
    query: signed.query ?? {},
    ...(signed.pathToken === undefined ? {} : { pathToken: signed.pathToken }),
    rawBody: Buffer.from(signed.body),
    ip: '127.0.0.1',
    ...overrides,
  };
}

/** An unsigned delivery of `payload` (a string is sent as is, anything else as its JSON), for `parse`. */
export function unsigned(payload: unknown): SpecDelivery {
  return { body: jsonBody(payload), headers: {} };
}

/** How `fn` refused: the `WebhookVerificationError`'s reason and message; `{}` when it did not throw. Other errors propagate. */
export function refusal(fn: () => unknown): { reason?: string; message?: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return { reason: error.reason, message: error.message };
    throw error;
  }
  return {};
}

/** The reason of the `WebhookVerificationError` `fn` throws, or undefined when it does not throw. */
export function refusalReason(fn: () => unknown): string | undefined {
  return refusal(fn).reason;
}
