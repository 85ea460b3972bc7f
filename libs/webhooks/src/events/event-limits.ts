import { PAYMENT_EVENT_TYPES, type PaymentEvent, type ProviderEvent } from './payment-event';

/** What the inbox stores of an event, and how long each may be (DESIGN §3; Stripe metadata values are ≤ 500). */
export const EVENT_LIMITS = { id: 255, type: 255, reference: 500 } as const;

/**
 * Why an event cannot be stored as it is, naming the field, or undefined. Decided before the database,
 * the same on SQLite and PostgreSQL: what one would store and the other refuse (a NUL, a lone surrogate
 * that PostgreSQL folds into another id) is refused on both.
 */
export function storageProblem(event: ProviderEvent): string | undefined {
  return (
    textProblem('id', event.id, EVENT_LIMITS.id) ??
    textProblem('type', event.type, EVENT_LIMITS.type) ??
    (event.payment === undefined ? undefined : textProblem('payment.reference', event.payment.reference, EVENT_LIMITS.reference))
  );
}

/**
 * Why a payment cannot reach handlers as the README promises (a known type, a safe non-negative integer
 * amount in minor units, an upper-case currency code), or undefined. Never coerced.
 */
export function paymentProblem(payment: PaymentEvent): string | undefined {
  if (!(PAYMENT_EVENT_TYPES as readonly string[]).includes(payment.type)) return `payment.type "${String(payment.type)}" is not a payment event type`;
  if (payment.amountMinor !== undefined && !(Number.isSafeInteger(payment.amountMinor) && payment.amountMinor >= 0)) {
    return `payment.amountMinor must be a safe non-negative integer of minor units, got ${JSON.stringify(payment.amountMinor) ?? String(payment.amountMinor)}`;
  }
  if (payment.currency !== undefined && !(typeof payment.currency === 'string' && /^[A-Z]{3,5}$/.test(payment.currency))) {
    return `payment.currency must be an ISO 4217 or asset code (3 to 5 capital letters), got ${JSON.stringify(payment.currency)}`;
  }
  if (payment.amountMinor !== undefined && payment.currency === undefined) return 'payment.amountMinor comes without a currency';
  return undefined;
}

function textProblem(field: string, value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return `${field} must be a string, got ${value === null ? 'null' : typeof value}`;
  if (value.length === 0 || value.length > max) return `${field} must be 1 to ${max} characters, got ${value.length}`;
  if (value.includes('\u0000')) return `${field} must not contain a NUL character`;
  if (!value.isWellFormed()) return `${field} must be well-formed Unicode (it holds a lone surrogate)`;
  return undefined;
}
