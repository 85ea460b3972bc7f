import { createHmac } from 'node:crypto';
import { jsonBody, type SignedRequest } from './signed-request';

export interface SignPayqiOptions {
  /** The event (serialized as is) or an exact body string. */
  payload: unknown;
  /** The PayQI webhook secret. */
  secret: string;
  /** Unix seconds sent in X-PayQI-Timestamp. Default: now. */
  timestamp?: number;
}

/** A PayQI delivery signed as the integration guide says: HMAC-SHA256 hex of the raw body, plus a timestamp header. */
export function signPayqi(options: SignPayqiOptions): SignedRequest {
  const body = jsonBody(options.payload);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', options.secret).update(body, 'utf8').digest('hex');
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-payqi-signature': signature, 'x-payqi-timestamp': String(timestamp) },
  };
}

/** A PayQI envelope around `data`, for tests. */
export function payqiEvent<T extends object>(type: string, data: T, overrides: { id?: string; created?: number } = {}) {
  return {
    id: overrides.id ?? `evt_test_${Math.random().toString(36).slice(2, 14)}`,
    type,
    created: overrides.created ?? Math.floor(Date.now() / 1000),
    data,
  };
}
