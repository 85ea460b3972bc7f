import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WEBHOOKS_CONFIG } from '../webhooks.constants';
import type { WebhooksConfig } from '../webhooks.options';
import { EndpointPaths } from './endpoint-paths';
import { lingerThenClose } from './linger-then-close';
import { mediaTypeOf, WebhookIngress } from './webhook-ingress.service';
import { toIngressRequest, type PlatformRequest } from './webhook-request';

type ExpressRequest = IncomingMessage & PlatformRequest & { body?: unknown };
type Next = (error?: unknown) => void;
interface ExpressAppLike {
  use(handler: (req: ExpressRequest, res: ServerResponse, next: Next) => void): void;
}

/**
 * On Express, reads the JSON bodies of webhook requests itself, before the app's body parser: the
 * parser would read a body over its limit to the end before answering (a declared gigabyte holds the
 * connection until the request timeout), where this answers 413 and closes the connection as soon as
 * the declared or received size passes `bodyLimit`. The bytes land in `req.rawBody` and the parsed
 * JSON in `req.body`, as Nest's parser with `rawBody: true` leaves them; the parser then skips the
 * request. Other media types and other paths are left to the app.
 *
 * Installed when Nest sets the HTTP adapter, which is before it registers the body parsers. An
 * Express instance that already parses JSON (`new ExpressAdapter(app)` after `app.use(express.json())`)
 * has read the body first; the guard's own size check still applies then.
 */
@Injectable()
export class ExpressBodyReader {
  private readonly paths: EndpointPaths;

  constructor(
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
    adapterHost: HttpAdapterHost,
    private readonly ingress: WebhookIngress,
  ) {
    this.paths = new EndpointPaths(config);
    adapterHost.init$.subscribe(() => {
      const adapter = adapterHost.httpAdapter;
      if (adapter?.getType() === 'express') adapter.getInstance<ExpressAppLike>().use((req, res, next) => this.read(req, res, next));
    });
  }

  private read(req: ExpressRequest, res: ServerResponse, next: Next): void {
    const match = this.paths.match(req.originalUrl ?? req.url ?? '');
    const declared = req.headers['content-length'];
    const hasBody = declared !== undefined ? declared !== '0' : req.headers['transfer-encoding'] !== undefined;
    if (!match || !hasBody || req.readableEnded || Buffer.isBuffer(req.rawBody)) return next();
    if (Number(declared) > this.config.bodyLimit) return this.tooLarge(req, res, match);
    if (mediaTypeOf(req.headers['content-type']) !== 'application/json') return next();

    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= this.config.bodyLimit) return void chunks.push(chunk);
      req.off('data', onData).off('end', onEnd);
      req.pause();
      this.tooLarge(req, res, match);
    };
    const onEnd = () => {
      req.off('data', onData);
      const rawBody = Buffer.concat(chunks, size);
      req.rawBody = rawBody;
      // What the JSON parser would have set, parsed only if something reads it (the strategy parses the
      // exact bytes itself); a malformed body is left to the guard, which checks the signature first.
      lazyJsonBody(req, rawBody);
      next();
    };
    req.on('data', onData).on('end', onEnd);
    // A client that gives up half-way: nothing to answer.
    req.once('error', () => req.off('data', onData).off('end', onEnd));
  }

  private tooLarge(req: ExpressRequest, res: ServerResponse, match: NonNullable<ReturnType<EndpointPaths['match']>>): void {
    const request = toIngressRequest(req);
    request.pathToken ??= match.pathToken;
    const refusal = this.ingress.refusal('too-large', `The body is larger than ${this.config.bodyLimit} bytes.`, request, match.provider);
    const body = JSON.stringify(refusal.getResponse());
    lingerThenClose(req);
    res.writeHead(refusal.getStatus(), { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
    res.end(body);
  }
}

function lazyJsonBody(req: ExpressRequest, bytes: Buffer): void {
  let parsed: { value: unknown } | undefined;
  Object.defineProperty(req, 'body', {
    configurable: true,
    enumerable: true,
    get: () => (parsed ??= { value: parseJson(bytes) }).value,
    set: (value: unknown) => (parsed = { value }),
  });
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
