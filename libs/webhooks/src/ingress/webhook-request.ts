import type { IngressRequest } from './webhook-ingress.service';

/** What the guard reads of a request; Express and Fastify requests both have these fields. */
export interface PlatformRequest {
  method: string;
  url: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  query?: unknown;
  params?: unknown;
  ip?: string;
  socket?: { remoteAddress?: string };
  rawBody?: Buffer;
}

/** The platform request as the ingress reads it: path without query, flat lower-case headers, the raw bytes. */
export function toIngressRequest(req: PlatformRequest): IngressRequest {
  const params = (req.params ?? {}) as Record<string, unknown>;
  return {
    method: req.method,
    path: (req.originalUrl ?? req.url).split('?')[0],
    headers: flatHeaders(req.headers),
    query: flatQuery(req.query),
    pathToken: typeof params.token === 'string' && params.token !== '' ? params.token : undefined,
    rawBody: Buffer.isBuffer(req.rawBody) ? req.rawBody : undefined,
    ip: req.ip ?? req.socket?.remoteAddress ?? '',
  };
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): IngressRequest['headers'] {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

function flatQuery(query: unknown): IngressRequest['query'] {
  const flat: Record<string, string | undefined> = {};
  if (query && typeof query === 'object') {
    for (const [name, value] of Object.entries(query as Record<string, unknown>)) {
      if (typeof value === 'string') flat[name] = value;
      else if (Array.isArray(value) && typeof value[0] === 'string') flat[name] = value[0];
    }
  }
  return flat;
}
