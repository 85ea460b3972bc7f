import type { ProviderEvent } from '../events/payment-event';
import type { ClaimedDelivery } from '../store/inbox-store.interface';

/** A lease asked for before a delivery is stored, so the row is born claimed by this instance. */
export interface HandoffLease {
  owner: string;
  expiresAt: Date;
}

/**
 * Where the ingress hands what it has just stored: the worker of this instance. A delivery leased at
 * insert goes to it from memory (no claim, no second read of the row); anything else waits in the
 * table for a claim, and the worker is told there is new work.
 */
export interface DeliveryHandoff {
  /** A lease for the next delivery, when the worker has room to start it soon; undefined otherwise. */
  reserve(): HandoffLease | undefined;
  /**
   * The insert is over. `leased`: the new row, claimed with the reserved lease, and its event.
   * Otherwise `storedNew` says whether a new row waits to be claimed. Called once per `reserve()`,
   * and for every new row stored without a lease.
   */
  settle(reserved: HandoffLease | undefined, leased: { delivery: ClaimedDelivery; event: ProviderEvent } | undefined, storedNew: boolean): void;
}
