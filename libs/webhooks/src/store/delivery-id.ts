import { randomFillSync } from 'node:crypto';

const bytes = Buffer.alloc(16);
// Random bits drawn 128 ids at a time: one call to the system's generator costs as much as formatting
// many ids (the way `crypto.randomUUID()` caches its entropy).
const pool = Buffer.alloc(10 * 128);
let pooled = 0;

/**
 * A delivery's id: a UUIDv7 (RFC 9562), its first 48 bits `at` (the receipt, in epoch milliseconds),
 * the rest random.
 * Time first, new deliveries' keys land at the right edge of every index that starts with the id (the
 * deliveries', payloads' and handler runs' primary keys): the database touches a few hot pages instead
 * of a random page per insert, and writes far fewer full-page images to its WAL after a checkpoint.
 */
export function deliveryId(at: number): string {
  if (pooled === 0) {
    randomFillSync(pool);
    pooled = pool.length;
  }
  pooled -= 10;
  pool.copy(bytes, 6, pooled, pooled + 10);
  bytes.writeUIntBE(at, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant 10
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
