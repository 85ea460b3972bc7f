import type { RegistrationEntity } from './registration.entity';
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
}

export function registrationView(registration: RegistrationEntity): RegistrationView {
  const { id, eventId, email, provider, status, reference, paidAt } = registration;
  return { id, eventId, email, provider, status, reference, paidAt };
}
