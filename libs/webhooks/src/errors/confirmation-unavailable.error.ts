/**
 * Thrown by a provider's `confirm` when the provider's API cannot answer right now. The delivery is
 * kept and retried later with backoff: never dropped, never trusted blindly.
 */
export class ConfirmationUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfirmationUnavailableError';
  }
}
