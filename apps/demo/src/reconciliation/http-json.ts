/** A provider's HTTP answer, body parsed when it is JSON. */
export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** The call got no HTTP answer, or one that is not JSON; the message says which, never a credential. */
export class NoJsonAnswerError extends Error {}

// A hung provider must not hold a round: the next round asks again.
const TIMEOUT_MS = 10_000;

/** GET `url` with a timeout, also abandoned when `signal` fires (the app is shutting down). */
export async function getJson(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<JsonAnswer> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'GET', headers: { accept: 'application/json', ...headers }, signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]) });
  } catch (error) {
    throw new NoJsonAnswerError(failureOf(error));
  }
  const text = await response.text().catch(() => '');
  if (text === '') return { status: response.status, body: undefined };
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    if (response.ok) throw new NoJsonAnswerError(`HTTP ${response.status} with a body that is not JSON`);
    return { status: response.status, body: undefined };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "timed out after 10000 ms", "ECONNREFUSED": fetch keeps the system error code in `cause`. */
function failureOf(error: unknown): string {
  const name = isRecord(error) ? error.name : undefined;
  if (name === 'TimeoutError') return `no answer within ${TIMEOUT_MS} ms`;
  if (name === 'AbortError') return 'abandoned: the app is shutting down';
  const cause = isRecord(error) && isRecord(error.cause) ? error.cause.code : undefined;
  return typeof cause === 'string' ? `not reachable (${cause})` : 'not reachable';
}
