import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ActiveSecret } from '../secrets/webhook-secret';

export type HmacAlgorithm = 'sha256' | 'sha512';
export type HmacEncoding = 'hex' | 'base64';

export function hmac(
  algorithm: HmacAlgorithm,
  key: string | Buffer,
  data: Buffer | string,
  encoding: HmacEncoding = 'hex',
): string {
  return createHmac(algorithm, key).update(data).digest(encoding);
}

/** Constant-time string comparison; unequal lengths compare a dummy so timing does not tell them apart. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/**
 * Index of the first secret whose HMAC of `data` equals one of `candidates`, or -1.
 * Every secret and candidate is compared (no early exit), so timing does not reveal which matched.
 * Hex candidates should be lower-cased by the caller.
 */
export function matchHmac(
  secrets: readonly ActiveSecret[],
  candidates: readonly string[],
  sign: (secret: string) => string,
): number {
  let matched = -1;
  for (const secret of secrets) {
    const expected = sign(secret.value);
    for (const candidate of candidates) {
      if (safeEqual(expected, candidate) && matched < 0) {
        matched = secret.index;
      }
    }
  }
  return matched;
}
