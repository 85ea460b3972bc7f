import { mvolaCallback } from '../testing/mvola-callback';
import { signFeexpay } from '../testing/sign-feexpay';
import { signPayqi } from '../testing/sign-payqi';
import { signPaystack } from '../testing/sign-paystack';
import { signStandardWebhooks } from '../testing/sign-standard-webhooks';
import { signStripe } from '../testing/sign-stripe';
import type { ProviderKind } from './provider-events';

/** An HTTP request as the provider would make it. */
export interface SignedDelivery {
  method: 'POST' | 'PUT';
  /** Path and query; MVola's carries the callback token. */
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface SignOptions {
  /** Signing secret (MVola: the callback token, put in the URL). */
  secret: string;
  /** The endpoint's path, e.g. `/webhooks/stripe`. */
  path: string;
  /** Standard Webhooks: the webhook-id header (random when absent). */
  eventId?: string;
}

/** Signs `payload` (an object, serialized once, or an exact body string) as the provider does, with the library's testing signers. */
export function signDelivery(kind: ProviderKind, payload: unknown, options: SignOptions): SignedDelivery {
  const { secret, path } = options;
  switch (kind) {
    case 'stripe':
      return { method: 'POST', path, ...signStripe({ payload, secret }) };
    case 'paystack':
      return { method: 'POST', path, ...signPaystack({ payload, secretKey: secret }) };
    case 'feexpay':
      return { method: 'POST', path, ...signFeexpay({ payload, secret }) };
    case 'payqi':
      return { method: 'POST', path, ...signPayqi({ payload, secret }) };
    case 'standard-webhooks':
      return { method: 'POST', path, ...signStandardWebhooks({ payload, secret, id: options.eventId }) };
    case 'mvola': {
      // MVola signs nothing: its callback URL carries the token, and it calls with PUT.
      const callback = mvolaCallback({ token: secret, endpoint: path, body: payload });
      return { method: callback.method, path: callback.url, headers: callback.headers, body: callback.body };
    }
  }
}
