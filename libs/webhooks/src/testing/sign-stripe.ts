import Stripe from 'stripe';
import { jsonBody, type SignedRequest } from './signed-request';

export interface SignStripeOptions {
  /** The event (serialized as is) or an exact body string. */
  payload: unknown;
  /** One signing secret, or several to send one v1 signature per secret (Stripe's rotation). */
  secret: string | string[];
  /** Unix seconds. Default: now. */
  timestamp?: number;
}

/** A Stripe delivery signed exactly as Stripe signs it, with the `stripe` package's test helper. */
export function signStripe(options: SignStripeOptions): SignedRequest {
  const body = jsonBody(options.payload);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const secrets = Array.isArray(options.secret) ? options.secret : [options.secret];
  const signatures = secrets.map((secret) =>
    Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp }).replace(/^t=\d+,/, ''),
  );
  return {
    body,
    headers: { 'content-type': 'application/json', 'stripe-signature': `t=${timestamp},${signatures.join(',')}` },
  };
}

/** A minimal Stripe event envelope around `object`, for tests. */
export function stripeEvent<T extends object>(type: string, object: T, overrides: { id?: string; created?: number } = {}) {
  return {
    id: overrides.id ?? `evt_test_${Math.random().toString(36).slice(2, 14)}`,
    object: 'event' as const,
    api_version: '2025-01-27.acacia',
    created: overrides.created ?? Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}
