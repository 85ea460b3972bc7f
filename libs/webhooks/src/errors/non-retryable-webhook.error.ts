/**
 * Throw it from a handler when retrying cannot help (the order was deleted, the payload can never be
 * applied): the delivery goes straight to `dead` with this message, for an operator to look at and
 * replay once fixed, instead of being retried `maxAttempts` times.
 */
export class NonRetryableWebhookError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetryableWebhookError';
  }
}
