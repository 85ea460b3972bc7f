import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookProvider } from '../providers/webhook-provider.interface';
import { WEBHOOKS_CONFIG } from '../webhooks.constants';
import { endpointPathsOf, type WebhooksConfig } from '../webhooks.options';
import { WebhookIngress, type IngressRequest } from './webhook-ingress.service';

interface Route {
  path: string;
  methods: string[];
  provider?: WebhookProvider;
}

/** Minimal shapes of the two platforms, so the library needs neither at compile time of users' apps. */
interface ExpressLikeRequest extends IncomingMessage {
  ip?: string;
  path?: string;
  query?: Record<string, unknown>;
  params?: Record<string, string>;
}
type ExpressHandler = (req: ExpressLikeRequest, res: ServerResponse) => void;
interface ExpressAppLike {
  router: { stack: unknown[] };
  post(path: string, handler: ExpressHandler): void;
  put(path: string, handler: ExpressHandler): void;
}
interface FastifyRequestLike {
  ip: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  query: unknown;
  params: unknown;
  body: unknown;
}
interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(body: unknown): void;
}
interface FastifyLike {
  register(plugin: (child: FastifyLike) => Promise<void>): unknown;
  removeAllContentTypeParsers(): void;
  addContentTypeParser(type: string, options: { parseAs: 'buffer'; bodyLimit: number }, parser: (req: unknown, body: Buffer, done: (error: Error | null, body?: Buffer) => void) => void): void;
  route(options: Record<string, unknown>): void;
}

/**
 * Serves the endpoints straight on the HTTP platform (Express or Fastify), ahead of Nest's body
 * parsers: the library reads the exact bytes itself, with its own size limit, so signatures are
 * checked on what was sent and `rawBody: true` is not needed. Paths come from the resolved options,
 * so `forRootAsync` can set them too.
 */
@Injectable()
export class WebhookRoutes implements OnModuleInit {
  private readonly logger = new Logger('Webhooks');

  constructor(
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly ingress: WebhookIngress,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) {
      this.logger.warn('No HTTP adapter (standalone application context): webhook endpoints are not served.');
      return;
    }
    const routes = this.routes();
    const platform = adapter.getType();
    if (platform === 'express') this.mountExpress(adapter.getInstance<ExpressAppLike>(), routes);
    else if (platform === 'fastify') this.mountFastify(adapter.getInstance<FastifyLike>(), routes);
    else throw new Error(`WebhooksModule serves Express and Fastify applications; this one runs on "${platform}".`);
    for (const provider of this.config.providers) {
      this.logger.log(`Endpoint ${provider.name}: ${methodsOf(provider).join('|')} ${endpointPathsOf(this.config.prefix, provider).join(', ')}`);
    }
  }

  private routes(): Route[] {
    const routes: Route[] = [];
    for (const provider of this.config.providers) {
      for (const path of endpointPathsOf(this.config.prefix, provider)) {
        // The second form carries a URL token as its last segment (`/webhooks/mvola/<token>`).
        routes.push({ path, methods: methodsOf(provider), provider });
        routes.push({ path: `${path.replace(/\/$/, '')}/:token`, methods: methodsOf(provider), provider });
      }
    }
    // Anything else under the prefix is an unknown endpoint: a clear 404, not a generic one.
    if (this.config.prefix) routes.push({ path: `/${this.config.prefix}/:name`, methods: ['POST', 'PUT'] });
    return routes;
  }

  private mountExpress(app: ExpressAppLike, routes: Route[]): void {
    const stack = app.router.stack;
    const before = stack.length;
    for (const route of routes) {
      for (const method of route.methods) {
        app[method.toLowerCase() as 'post'](route.path, (req: ExpressLikeRequest, res: ServerResponse) => void this.serveExpress(route, req, res));
      }
    }
    // Nest has already added its JSON parser: move the webhook routes in front so they read the bytes first.
    stack.unshift(...stack.splice(before));
  }

  private async serveExpress(route: Route, req: ExpressLikeRequest, res: ServerResponse): Promise<void> {
    const body = await readBody(req, this.config.bodyLimit);
    const response = await this.ingress.handle(route.provider, {
      method: req.method ?? 'POST',
      path: req.path ?? req.url ?? '',
      headers: flatHeaders(req.headers),
      query: flatQuery(req.query),
      pathToken: req.params?.token,
      rawBody: body.body,
      ip: req.ip ?? req.socket.remoteAddress ?? '',
      tooLarge: body.tooLarge,
      unreadable: body.unreadable,
    });
    res.statusCode = response.status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(response.body));
  }

  private mountFastify(app: FastifyLike, routes: Route[]): void {
    const bodyLimit = this.config.bodyLimit;
    const answer = async (route: Route, request: FastifyRequestLike, reply: FastifyReplyLike, failure?: { statusCode?: number }) => {
      const params = (request.params ?? {}) as Record<string, string>;
      const response = await this.ingress.handle(route.provider, {
        method: request.method,
        path: request.url.split('?')[0],
        headers: flatHeaders(request.headers),
        query: flatQuery(request.query),
        pathToken: params.token,
        rawBody: !failure && Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        ip: request.ip,
        tooLarge: failure?.statusCode === 413,
        unreadable: !!failure && failure.statusCode !== 413,
      });
      reply.code(response.status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(response.body));
    };
    app.register(async (child) => {
      // Encapsulated: these parsers apply to the webhook routes only, and keep the bytes as sent.
      child.removeAllContentTypeParsers();
      child.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
      for (const route of routes) {
        child.route({
          method: route.methods,
          url: route.path,
          bodyLimit,
          handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => answer(route, request, reply),
          // Errors raised before the handler (body over the limit, broken framing) get the same answers.
          errorHandler: (error: { statusCode?: number }, request: FastifyRequestLike, reply: FastifyReplyLike) => void answer(route, request, reply, error),
        });
      }
    });
  }
}

function methodsOf(provider: WebhookProvider): string[] {
  return (provider.methods?.length ? provider.methods : ['POST']).map((method) => method.toUpperCase());
}

/** Reads the body as bytes; past `limit` it keeps draining (so the client gets the answer) but stores nothing. */
function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean; unreadable: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge, unreadable: false }));
    req.on('error', () => resolve({ body: Buffer.alloc(0), tooLarge: false, unreadable: true }));
  });
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
