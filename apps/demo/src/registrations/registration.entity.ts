import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms.transformer';
import type { ReconciliationOutcome } from '../reconciliation/reconciliation-outcome';
import type { RegistrationStatus } from './registration-status';

/** One seat held for one person, paid (or not) through one provider's webhooks. */
@Entity('registrations')
export class RegistrationEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'event_id', type: 'varchar', length: 36 })
  eventId: string;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  /** Endpoint name of the provider chosen at registration ('stripe', 'mvola'…). */
  @Column({ type: 'varchar', length: 64 })
  provider: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  phone: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: RegistrationStatus;

  /** What the provider echoes back in its webhook (Stripe: client_reference_id; MVola: X-CorrelationID). */
  @Column({ type: 'varchar', length: 40 })
  reference: string;

  /** The provider's id of the payment, once paid: what an operator needs to refund it. */
  @Column({ name: 'payment_transaction_id', type: 'varchar', length: 255, nullable: true })
  paymentTransactionId: string | null;

  /** MVola's id of the merchant payment the demo started. */
  @Column({ name: 'mvola_server_correlation_id', type: 'varchar', length: 100, nullable: true })
  mvolaServerCorrelationId: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt: Date;

  @Column({ name: 'paid_at', type: 'bigint', nullable: true, transformer: epochMs })
  paidAt: Date | null;

  /** A completed payment that did not match (provider, amount or currency), for a person to refund. */
  @Column({ name: 'payment_issue', type: 'simple-json', nullable: true })
  paymentIssue: PaymentIssue | null;

  /** When reconciliation last asked about this registration (it was PENDING and old enough). */
  @Column({ name: 'reconcile_checked_at', type: 'bigint', nullable: true, transformer: epochMs })
  reconcileCheckedAt: Date | null;

  @Column({ name: 'reconcile_outcome', type: 'varchar', length: 16, nullable: true })
  reconcileOutcome: ReconciliationOutcome | null;

  /** What the provider said, in one line, for the operator. */
  @Column({ name: 'reconcile_detail', type: 'varchar', length: 500, nullable: true })
  reconcileDetail: string | null;

  @Column({ name: 'reconcile_checks', type: 'integer', default: 0 })
  reconcileChecks: number;

  /**
   * Not checked again before this time: the next check after a PENDING answer, or a claim's lease
   * while one replica asks the provider, so the others leave it alone.
   */
  @Column({ name: 'reconcile_next_at', type: 'bigint', nullable: true, transformer: epochMs })
  reconcileNextAt: Date | null;
}

/** What was received and what the registration expected. */
export interface PaymentIssue {
  received: { provider: string; amountMinor?: number; currency?: string; transactionId?: string };
  expected: { provider: string; amountMinor: number; currency: string };
  at: string;
}
