/** A fenced write was refused: another instance took the delivery over after this lease expired. */
export class LeaseLostError extends Error {
  constructor(readonly deliveryId: string, readonly owner: string) {
    super(`Lease on delivery ${deliveryId} was lost by ${owner}; another instance owns it now.`);
    this.name = 'LeaseLostError';
  }
}
