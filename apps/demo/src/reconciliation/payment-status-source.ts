import type { RegistrationEntity } from '../registrations/registration.entity';
import type { ProviderAnswer } from './provider-answer';

/** A provider's status API, asked about one registration. Never throws: a failure is an `unreachable` answer. */
export interface PaymentStatusSource {
  statusOf(registration: RegistrationEntity, signal: AbortSignal): Promise<ProviderAnswer>;
}
