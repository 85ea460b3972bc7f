import { createHmac } from 'node:crypto';
import { jsonBody, type SignedRequest } from './signed-request';

export interface SignFeexpayOptions {
  /** The event (serialized as is) or an exact body string. */
  payload: unknown;
  /** The FeexPay webhook secret. */
  secret: string;
}

/** A FeexPay delivery signed as the integration guide says: HMAC-SHA256 hex of the raw body. */
export function signFeexpay(options: SignFeexpayOptions): SignedRequest {
  const body = jsonBody(options.payload);
  const signature = createHmac('sha256', options.secret).update(body, 'utf8').digest('hex');
  return { body, headers: { 'content-type': 'application/json', 'x-feexpay-signature': signature } };
}

export interface FeexpayTestEvent {
  event_type: string;
  transaction_id: string;
  reference: string;
  amount: number | string;
  currency: string;
  provider: string;
  status: string;
  timestamp: string;
  metadata: Record<string, unknown> | null;
}

/** A FeexPay delivery body with plausible defaults, for tests. */
export function feexpayEvent(eventType: string, overrides: Partial<FeexpayTestEvent> = {}): FeexpayTestEvent {
  return {
    event_type: eventType,
    transaction_id: 'txn_test_1',
    reference: 'ORDER-1',
    amount: 5000,
    currency: 'FCFA',
    provider: 'mtn_ci',
    status: 'SUCCESSFUL',
    timestamp: '2026-11-25T12:00:00Z',
    metadata: {},
    ...overrides,
  };
}
