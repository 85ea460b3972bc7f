import { randomBytes } from 'node:crypto';

// Crockford base32: no I, L, O, U, so a reference read aloud or typed is not misread.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The merchant reference a provider echoes back: short, URL- and header-safe (MVola sends it as
 * X-CorrelationID), unguessable (60 random bits), e.g. `REG-7K3QZ9M2XW4P`.
 */
export function newRegistrationReference(): string {
  const bytes = randomBytes(12);
  return `REG-${Array.from(bytes, (byte) => ALPHABET[byte % 32]).join('')}`;
}
