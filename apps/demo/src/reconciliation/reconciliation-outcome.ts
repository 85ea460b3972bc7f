/**
 * What a reconciliation check concluded, as `GET /registrations/:id` shows it:
 * `paid`, `failed`, `expired` moved the registration; `pending` (the provider says so), `unreachable`
 * (the provider could not be asked) and `payment-issue` (paid, but not what was expected) left it PENDING.
 */
export const RECONCILIATION_OUTCOMES = ['paid', 'failed', 'expired', 'pending', 'unreachable', 'payment-issue'] as const;

export type ReconciliationOutcome = (typeof RECONCILIATION_OUTCOMES)[number];
