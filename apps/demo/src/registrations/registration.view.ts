import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { reconciliationView, ReconciliationView } from '../reconciliation/reconciliation.view';
import type { PaymentIssue, RegistrationEntity } from './registration.entity';
import type { RegistrationStatus } from './registration-status';

const STATUSES = ['PENDING', 'PAID', 'FAILED', 'EXPIRED', 'REFUNDED'];

/** POST /events/:id/registrations (contract). */
export class CreatedRegistration {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: STATUSES, example: 'PENDING' }) status!: RegistrationStatus;
  @ApiProperty({ example: 'REG-7K3QZ9M2XW4P' }) reference!: string;
}

/** GET /registrations/:id (contract). */
export class RegistrationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ example: 'stripe' }) provider!: string;
  @ApiProperty({ enum: STATUSES }) status!: RegistrationStatus;
  @ApiProperty() reference!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) paidAt!: Date | null;
  /** Present when a completed payment did not match; the status is left as it was. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'What was received and what was expected, for a person to refund' })
  paymentIssue?: PaymentIssue;
  /** Present once reconciliation checked it with its provider (it stayed PENDING past RECONCILE_AFTER). */
  @ApiPropertyOptional({ type: ReconciliationView, description: 'The last reconciliation check: when, what the provider said, what was decided' })
  reconciliation?: ReconciliationView;
}

export function registrationView(registration: RegistrationEntity): RegistrationView {
  const { id, eventId, email, provider, status, reference, paidAt, paymentIssue } = registration;
  const reconciliation = reconciliationView(registration);
  return { id, eventId, email, provider, status, reference, paidAt, ...(paymentIssue ? { paymentIssue } : {}), ...(reconciliation ? { reconciliation } : {}) };
}
