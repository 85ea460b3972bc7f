import type { PaymentEventType } from '../../events/payment-event';

/** MVola's transaction statuses (callback and status look-up) → normalized payment types. */
const MVOLA_STATUS_TYPES: Readonly<Record<string, PaymentEventType>> = {
  completed: 'payment.completed',
  failed: 'payment.failed',
  rejected: 'payment.failed',
  cancelled: 'payment.cancelled',
  pending: 'payment.pending',
};

/** The normalized type of an MVola status (case-insensitive), or undefined when MVola sent something else. */
export function mvolaPaymentType(status: string): PaymentEventType | undefined {
  return Object.hasOwn(MVOLA_STATUS_TYPES, status.toLowerCase()) ? MVOLA_STATUS_TYPES[status.toLowerCase()] : undefined;
}
