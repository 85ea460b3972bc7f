import type { IncomingMessage } from 'node:http';
import { HttpException, Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WEBHOOKS_CONFIG } from '../webhooks.constants';
import type { WebhooksConfig } from '../webhooks.options';
import { EndpointPaths } from './endpoint-paths';
import { lingerThenClose } from './linger-then-close';
import { WebhookIngress } from './webhook-ingress.service';
import { toIngressRequest, type PlatformRequest } from './webhook-request';

/** An error raised while the platform read or parsed a body (body-parser on Express, Fastify's content parsers). */
interface BodyError {
  status?: number;
  statusCode?: number;
  type?: string;
  code?: string;
}

interface ExpressAppLike {
  use(handler: (error: unknown, req: PlatformRequest, res: unknown, next: (error?: unknown) => void) => void): void;
}
interface FastifyRequestLike extends PlatformRequest {
  [BODY_ERROR]?: number;
  raw: IncomingMessage;
}
interface FastifyReplyLike {
  statusCode: number;
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
}
interface FastifyLike {
  addHook(name: 'onError', hook: (request: FastifyRequestLike, reply: FastifyReplyLike, error: BodyError) => Promise<void>): void;
  addHook(name: 'onSend', hook: (request: FastifyRequestLike, reply: FastifyReplyLike, payload: unknown, done: (error: null, payload: unknown) => void) => void): void;
}

const BODY_ERROR = Symbol('webhooks:body-error');

/**
 * The platform reads and parses the body before any route, guard or filter of Nest runs. When that
 * fails on a webhook path (malformed JSON, a body over the parser's limit, a media type no parser
 * takes), this answers the way the guard would: the refusal reason in the body, the signature still
 * checked first, the refusal published. Errors on other paths go on to Nest untouched.
 */
@Injectable()
export class BodyErrorAnswers implements OnModuleInit {
  private readonly paths: EndpointPaths;

  constructor(
    @Inject(WEBHOOKS_CONFIG) config: WebhooksConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly ingress: WebhookIngress,
  ) {
    this.paths = new EndpointPaths(config);
  }

  // Runs after Nest has mapped the routes and before it adds its own error handler.
  onModuleInit(): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter?.getType() === 'express') {
      adapter.getInstance<ExpressAppLike>().use((error, req, res, next) => {
        const answer = this.answer(req, statusOf(error as BodyError, typeof (error as BodyError)?.type === 'string'));
        if (!answer) return next(error);
        adapter.reply(res, answer.getResponse(), answer.getStatus());
      });
    } else if (adapter?.getType() === 'fastify') {
      const fastify = adapter.getInstance<FastifyLike>();
      // Fastify's error handler belongs to Nest; the hooks only note the error and rewrite its answer.
      fastify.addHook('onError', async (request, _reply, error) => {
        const status = statusOf(error, typeof error?.code === 'string' && error.code.startsWith('FST_ERR_CTP_'));
        if (status) request[BODY_ERROR] = status;
      });
      // Every response of the app passes here: a callback hook, which costs Fastify no promise per response.
      fastify.addHook('onSend', (request, reply, payload, done) => {
        const answer = this.answer(request, request[BODY_ERROR]);
        if (!answer) return done(null, payload);
        reply.code(answer.getStatus()).header('content-type', 'application/json; charset=utf-8');
        if (answer.getStatus() === 413) {
          reply.header('connection', 'close');
          lingerThenClose(request.raw);
        }
        done(null, JSON.stringify(answer.getResponse()));
      });
    }
  }

  private answer(req: PlatformRequest, status: number | undefined): HttpException | undefined {
    if (!status) return undefined;
    const request = toIngressRequest(req);
    const match = this.paths.match(request.path);
    if (!match) return undefined;
    const { provider } = match;
    request.pathToken ??= match.pathToken;
    if (status === 413) return this.ingress.refusal('too-large', 'The body is larger than this endpoint accepts.', request, provider);
    if (status === 415) return this.ingress.refusal('unsupported-media-type', 'Send the delivery as application/json.', request, provider);
    // Malformed: the signature is still checked first, so an unsigned request gets its 401.
    try {
      this.ingress.verify(provider, request);
    } catch (refusal) {
      if (refusal instanceof HttpException) return refusal;
    }
    return this.ingress.refusal('invalid-payload', 'The body is not valid JSON.', request, provider);
  }
}

/** The 4xx of a body-reading error, if `fromParser` says the platform's body parser raised it. */
function statusOf(error: BodyError | undefined, fromParser: boolean): number | undefined {
  const status = error?.statusCode ?? error?.status;
  return fromParser && typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}
