/** What a rejected `fetch()` says about why it failed. */
export interface FetchFailure {
  /** The request's timeout signal fired (`TimeoutError`; `AbortError` from fetches that drop the signal's reason). */
  timedOut: boolean;
  /** The error's own message, e.g. "fetch failed". */
  message?: string;
  /** The system error code behind it (ECONNREFUSED, ENOTFOUND…), which fetch keeps in `cause`. */
  code?: string;
}

/**
 * Reads a `fetch()` rejection. Duck-typed: fetch's errors (a DOMException on timeout) may come from
 * another realm, where `instanceof Error` is false. Only meant for calls whose sole abort signal is
 * their timeout.
 */
export function fetchFailure(error: unknown): FetchFailure {
  const name = stringField(error, 'name');
  const message = stringField(error, 'message');
  const code = stringField(field(error, 'cause'), 'code');
  return {
    timedOut: name === 'TimeoutError' || name === 'AbortError',
    ...(message === undefined ? {} : { message }),
    ...(code === undefined ? {} : { code }),
  };
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function stringField(value: unknown, key: string): string | undefined {
  const found = field(value, key);
  return typeof found === 'string' ? found : undefined;
}
