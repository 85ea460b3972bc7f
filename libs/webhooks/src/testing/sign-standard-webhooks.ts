import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { jsonBody, type SignedRequest } from './signed-request';

export interface SignStandardWebhooksOptions {
  /** The message (serialized as is) or an exact body string. */
  payload: unknown;
  /** One `whsec_…` secret, or several to send one v1 signature per secret (a sender rotating). */
  secret: string | string[];
  /** webhook-id. Default: a random `msg_…`. */
  id?: string;
  /** Unix seconds. Default: now. */
  timestamp?: number;
}

/** A Standard Webhooks delivery signed with the `standardwebhooks` package, as Svix-style senders sign. */
export function signStandardWebhooks(options: SignStandardWebhooksOptions): SignedRequest {
  const body = jsonBody(options.payload);
  const id = options.id ?? `msg_${randomUUID().replace(/-/g, '')}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const secrets = Array.isArray(options.secret) ? options.secret : [options.secret];
  const signatures = secrets.map((secret) => new Webhook(secret).sign(id, new Date(timestamp * 1000), body));
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatures.join(' '),
    },
  };
}
