import { createHmac } from 'node:crypto';
import { jsonBody, type SignedRequest } from './signed-request';

export interface SignPaystackOptions {
  /** The event (serialized as is) or an exact body string. */
  payload: unknown;
  /** The Paystack secret key (`sk_test_…`) the delivery is signed with. */
  secretKey: string;
}

/** A Paystack delivery signed as Paystack signs it: HMAC-SHA512 hex of the raw body, keyed with the secret key. */
export function signPaystack(options: SignPaystackOptions): SignedRequest {
  const body = jsonBody(options.payload);
  const signature = createHmac('sha512', options.secretKey).update(body, 'utf8').digest('hex');
  return { body, headers: { 'content-type': 'application/json', 'x-paystack-signature': signature } };
}

/** A Paystack envelope `{ event, data }`, for tests. */
export function paystackEvent<T extends object>(event: string, data: T): { event: string; data: T } {
  return { event, data };
}
