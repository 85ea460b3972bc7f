import type { PaymentIssue, RegistrationEntity } from './registration.entity';
import type { RegistrationStatus } from './registration-status';

/** GET /registrations/:id (contract). */
export interface RegistrationView {
  id: string;
  eventId: string;
  email: string;
  provider: string;
  status: RegistrationStatus;
  reference: string;
  paidAt: Date | null;
  /** Present when a completed payment did not match; the status is left as it was. */
  paymentIssue?: PaymentIssue;
}

export function registrationView(registration: RegistrationEntity): RegistrationView {
  const { id, eventId, email, provider, status, reference, paidAt, paymentIssue } = registration;
  return { id, eventId, email, provider, status, reference, paidAt, ...(paymentIssue ? { paymentIssue } : {}) };
}
