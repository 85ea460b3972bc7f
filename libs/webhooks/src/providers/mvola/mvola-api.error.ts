/** Why a call to MVola's API did not give a usable answer. */
export type MvolaApiFailure = 'invalid-request' | 'network' | 'timeout' | 'unauthorized' | 'http' | 'invalid-response';

/**
 * A call to MVola's API that did not give a usable answer. The message names the call and what went
 * wrong; it never contains the consumer secret or an access token.
 */
export class MvolaApiError extends Error {
  constructor(
    readonly failure: MvolaApiFailure,
    message: string,
    /** HTTP status of MVola's answer, when there was one. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MvolaApiError';
  }
}
