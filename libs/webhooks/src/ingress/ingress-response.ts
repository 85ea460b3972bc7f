import type { RefusalReason } from '../errors/refusal-reason';

/** What the ingress answers: a status and Nest's JSON error shape (or the receipt). */
export interface IngressResponse {
  status: number;
  body: Record<string, unknown>;
}

const ERROR_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const STATUS_BY_REASON: Record<RefusalReason, number> = {
  'missing-header': 401,
  'malformed-header': 401,
  'invalid-signature': 401,
  'invalid-token': 401,
  'timestamp-out-of-tolerance': 400,
  'invalid-payload': 400,
  'address-not-allowed': 403,
  'too-large': 413,
  'unsupported-media-type': 415,
};

export function statusOf(reason: RefusalReason): number {
  return STATUS_BY_REASON[reason];
}

/** Nest's error body shape, plus the machine-readable reason. */
export function errorResponse(status: number, message: string, reason?: RefusalReason): IngressResponse {
  return { status, body: { statusCode: status, error: ERROR_NAMES[status] ?? 'Error', message, ...(reason ? { reason } : {}) } };
}
