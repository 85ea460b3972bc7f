import type { ReconciliationOutcome } from './reconciliation-outcome';

/** What one round did, on this replica. */
export interface ReconciliationRound {
  /** PENDING registrations old enough and due. */
  due: number;
  /** Of those, the ones this replica claimed and asked about (another replica took the rest). */
  checked: number;
  /** Decisions by outcome. */
  outcomes: Partial<Record<ReconciliationOutcome, number>>;
  /** Settled by a webhook while the provider was being asked: nothing left to decide. */
  settledMeanwhile: number;
}
