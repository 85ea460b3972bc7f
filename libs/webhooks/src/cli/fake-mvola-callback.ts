import { fetchFailure } from '../providers/http-error';

/** What the fake MVola API answered about a callback it made. */
export interface FakeMvolaCallbackResult {
  serverCorrelationId: string;
  /** The status the app answered the fake's PUT with; undefined when the fake could not call back. */
  appStatus?: number;
  /** The fake's own answer when it could not call back. */
  problem?: string;
}

interface FakePayment {
  serverCorrelationId: string;
  reference?: string;
}

const TIMEOUT_MS = 15_000;

/**
 * Has the fake MVola API (`npm run demo:fake-mvola`) settle a payment the app started there and PUT
 * the callback to the app's own X-Callback-URL, as MVola does once the payer approves. The fake's
 * status look-up then answers the same status, so the app's confirmation agrees with the callback.
 */
export async function callBackThroughFakeMvola(
  fakeUrl: string,
  payment: { reference: string; serverCorrelationId?: string },
  status: string,
): Promise<FakeMvolaCallbackResult> {
  const base = fakeUrl.replace(/\/+$/, '');
  const serverCorrelationId = payment.serverCorrelationId ?? (await findPayment(base, payment.reference));
  const response = await call(`${base}/_fake/payments/${encodeURIComponent(serverCorrelationId)}/callback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status }),
  });
  const answer = (await response.json().catch(() => ({}))) as { callbackStatus?: unknown; message?: unknown };
  if (response.ok && typeof answer.callbackStatus === 'number') return { serverCorrelationId, appStatus: answer.callbackStatus };
  const message = typeof answer.message === 'string' ? answer.message : `HTTP ${response.status}`;
  return { serverCorrelationId, problem: `the fake MVola API could not call back: ${message}` };
}

/** MVola's id of the latest payment started with this reference (the app's X-CorrelationID). */
async function findPayment(base: string, reference: string): Promise<string> {
  const response = await call(`${base}/_fake/payments`, { method: 'GET' });
  if (!response.ok) {
    throw new Error(`${base}/_fake/payments answered HTTP ${response.status}; is ${base} the fake MVola API (npm run demo:fake-mvola)?`);
  }
  const payments = (await response.json()) as FakePayment[];
  const found = payments.filter((candidate) => candidate.reference === reference).at(-1);
  if (!found) {
    throw new Error(
      `The fake MVola API at ${base} has no payment for reference ${reference}: register with provider mvola and a phone first, so that the app starts one.`,
    );
  }
  return found.serverCorrelationId;
}

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const failure = fetchFailure(error);
    const why = failure.timedOut ? `no answer within ${TIMEOUT_MS} ms` : (failure.code ?? failure.message ?? String(error));
    throw new Error(`Could not reach the fake MVola API at ${new URL(url).origin} (${why}); start it with npm run demo:fake-mvola.`);
  }
}
