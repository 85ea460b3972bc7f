/** A request body with the headers a provider would send with it. */
export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

export function jsonBody(payload: unknown): string {
  return typeof payload === 'string' ? payload : JSON.stringify(payload);
}
