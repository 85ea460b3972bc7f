/** Thrown by a provider's `parse` when a verified body is not a delivery it understands (→ 400). */
export class WebhookPayloadError extends Error {
  readonly reason = 'invalid-payload' as const;

  constructor(message: string) {
    super(message);
    this.name = 'WebhookPayloadError';
  }
}
