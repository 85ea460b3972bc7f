/** Why a delivery was refused. Every refusal carries exactly one of these. */
export const REFUSAL_REASONS = [
  'missing-header',
  'malformed-header',
  'invalid-signature',
  'timestamp-out-of-tolerance',
  'invalid-token',
  'address-not-allowed',
  'invalid-payload',
  'too-large',
  'unsupported-media-type',
] as const;

export type RefusalReason = (typeof REFUSAL_REASONS)[number];
