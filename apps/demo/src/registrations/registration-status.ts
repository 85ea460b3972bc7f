/** Where a registration stands. FAILED, EXPIRED and REFUNDED have given their seat back. */
export const REGISTRATION_STATUSES = ['PENDING', 'PAID', 'FAILED', 'EXPIRED', 'REFUNDED'] as const;

export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];
