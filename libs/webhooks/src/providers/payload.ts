import { createHash } from 'node:crypto';
import { WebhookPayloadError } from '../errors/webhook-payload.error';

/** Longest event id the inbox stores as is. */
export const MAX_EVENT_ID_LENGTH = 255;

/**
 * The verified body as a JSON object. Throws `WebhookPayloadError` when it is not JSON, or when it is
 * JSON but not an object: `what` names the expected delivery, e.g. `A Stripe event` gives
 * "A Stripe event must be a JSON object.".
 */
export function parseJsonObject(rawBody: Buffer, what: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new WebhookPayloadError('The body is not valid JSON.');
  }
  if (!isRecord(body)) throw new WebhookPayloadError(`${what} must be a JSON object.`);
  return body;
}

/** A plain object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string as is, a finite number as its text; anything else (and "") is undefined. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export interface DateOfOptions {
  /**
   * How numbers, and strings of digits, are read: `s`, unix seconds; `auto`, unix seconds below 1e12
   * and milliseconds from there on. Without it only date strings are read: numbers are undefined and a
   * string of digits is parsed as a date string.
   */
  numericUnit?: 's' | 'auto';
}

/** A date string (ISO 8601) or, with `numericUnit`, a unix time; undefined when it is not a valid date. */
export function dateOf(value: unknown, options: DateOfOptions = {}): Date | undefined {
  const unit = options.numericUnit;
  let date: Date | undefined;
  if (typeof value === 'number') {
    if (unit === undefined || !Number.isFinite(value)) return undefined;
    date = new Date(unit === 'auto' && value >= 1e12 ? value : value * 1000);
  } else if (typeof value === 'string') {
    if (unit !== undefined && /^\d+$/.test(value)) return dateOf(Number(value), options);
    date = new Date(value);
  }
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** Lower-case hex SHA-256. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `id` itself when it fits the inbox (at most 255 characters), else its SHA-256 hex: stable across retries. */
export function boundedId(id: string): string {
  return id.length <= MAX_EVENT_ID_LENGTH ? id : sha256Hex(id);
}
