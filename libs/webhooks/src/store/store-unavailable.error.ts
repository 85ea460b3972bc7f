/**
 * The inbox could not take a delivery right now: the database is down, too slow, or too far behind.
 * Nothing was acknowledged; the sender gets 503 with `Retry-After` and delivers again later.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

// SQLSTATE classes 08 (connection), 53 (insufficient resources), 57P (operator intervention: shutdown,
// cannot connect now), and the socket and pool errors of the drivers.
const UNAVAILABLE_CODES = /^(08|53|57P0)|^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|SQLITE_BUSY|SQLITE_LOCKED|SQLITE_IOERR|SQLITE_FULL|SQLITE_CANTOPEN)/;
const UNAVAILABLE_MESSAGES = /connection terminated|connection .*(closed|ended|refused)|timeout exceeded when trying to connect|query read timeout|not queryable|pool .*(ended|destroyed)/i;

/** True when an error says the database itself is unreachable, not that one row was refused. */
export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const cause = (error as { driverError?: unknown })?.driverError ?? error;
  const code = String((cause as { code?: unknown })?.code ?? '');
  const message = String((cause as { message?: unknown })?.message ?? '');
  return UNAVAILABLE_CODES.test(code) || UNAVAILABLE_MESSAGES.test(message);
}
