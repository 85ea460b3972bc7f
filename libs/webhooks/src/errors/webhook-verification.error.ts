import type { RefusalReason } from './refusal-reason';

export type VerificationReason = Extract<
  RefusalReason,
  | 'missing-header'
  | 'malformed-header'
  | 'invalid-signature'
  | 'timestamp-out-of-tolerance'
  | 'invalid-token'
  | 'address-not-allowed'
>;

/**
 * Thrown by a provider's `verify` when a delivery cannot be trusted. The message goes back to the
 * sender as is: say what is wrong, never what was expected.
 */
export class WebhookVerificationError extends Error {
  constructor(
    readonly reason: VerificationReason,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}
