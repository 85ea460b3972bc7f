import { ApiProperty } from '@nestjs/swagger';
import type { RegistrationEntity } from '../registrations/registration.entity';
import { RECONCILIATION_OUTCOMES, type ReconciliationOutcome } from './reconciliation-outcome';

/** `reconciliation` in GET /registrations/:id, once the registration was checked with its provider. */
export class ReconciliationView {
  @ApiProperty({ type: String, format: 'date-time' }) checkedAt!: Date;
  @ApiProperty({
    enum: RECONCILIATION_OUTCOMES,
    description: 'paid, failed, expired: moved the registration; pending, unreachable, payment-issue: left it PENDING',
  })
  outcome!: ReconciliationOutcome;
  @ApiProperty({ example: 'Paystack says "success"', description: 'What the provider said, and why that decided it' })
  detail!: string;
  @ApiProperty({ description: 'How many times it was checked' }) checks!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Not checked again before; null once decided' })
  nextCheckAt!: Date | null;
}

export function reconciliationView(registration: RegistrationEntity): ReconciliationView | undefined {
  const { reconcileCheckedAt, reconcileOutcome, reconcileDetail, reconcileChecks, reconcileNextAt, status } = registration;
  if (!reconcileCheckedAt || !reconcileOutcome) return undefined;
  return {
    checkedAt: reconcileCheckedAt,
    outcome: reconcileOutcome,
    detail: reconcileDetail ?? '',
    checks: reconcileChecks,
    // Only a PENDING registration is checked again (the column also holds claims' leases).
    nextCheckAt: status === 'PENDING' ? reconcileNextAt : null,
  };
}
