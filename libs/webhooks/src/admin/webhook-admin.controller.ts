import {
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  ParseBoolPipe,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
  ValidationPipe,
  type Type,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { DeliveryStatus, StoredDelivery } from '../store/inbox-store.interface';
import { WebhookDeliveries, type WebhookStats } from '../store/webhook-deliveries.service';
import { WebhookMonitor } from '../monitoring/webhook-monitor';
import { NotInApiDocs } from '../not-in-api-docs.decorator';
import { WEBHOOKS_CONFIG } from '../webhooks.constants';
import type { WebhooksConfig } from '../webhooks.options';
import { AdminTokenGuard, assertNotCrossSite, type AdminRequest } from './admin-token.guard';
import { DeliveryFilterQuery, filterOf, FindDeliveriesQuery, ReplayMatchingQuery } from './find-deliveries.query';
import { inspect, summaryOf, type DeliveryInspection, type DeliverySummary } from './inspector/delivery-inspection';
import { inspectorPage } from './inspector/inspector-page';
import { INSPECTOR_SCRIPT } from './inspector/inspector-script';
import { INSPECTOR_SESSION_MS, sessionCookie, signSession } from './inspector/inspector-session';
import { INSPECTOR_STYLE } from './inspector/inspector-style';

/** No inline script or style anywhere, nothing from another origin, never framed. */
export const INSPECTOR_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const query = () => new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true });

type HttpRequest = AdminRequest & { url: string; originalUrl?: string; protocol?: string };

/** Security headers of the page and its assets (they hold no data, so they need no token). */
function PageHeaders(contentType: string): MethodDecorator {
  return (target, key, descriptor) => {
    for (const [name, value] of [
      ['Content-Type', contentType],
      ['Content-Security-Policy', INSPECTOR_CSP],
      ['X-Content-Type-Options', 'nosniff'],
      ['X-Frame-Options', 'DENY'],
      ['Referrer-Policy', 'no-referrer'],
      ['Cross-Origin-Opener-Policy', 'same-origin'],
      ['Cross-Origin-Resource-Policy', 'same-origin'],
      ['Cache-Control', 'no-cache'],
    ]) {
      Header(name, value)(target, key, descriptor);
    }
  };
}

/**
 * The admin API and the delivery inspector, at the path given by the `adminPath` extra. The page, its
 * script and stylesheet are public (no data in them); every data route needs the admin token, as a
 * bearer header or as the session cookie the page's sign-in sets. The page's own routes (page, assets,
 * session) stay out of `@nestjs/swagger` documents; the data routes are the admin API.
 */
export function createWebhookAdminController(path: string): Type<unknown> {
  @Controller(path)
  class WebhookAdminController {
    constructor(
      readonly deliveries: WebhookDeliveries,
      readonly monitor: WebhookMonitor,
      @Inject(WEBHOOKS_CONFIG) readonly config: WebhooksConfig,
      readonly adapterHost: HttpAdapterHost,
    ) {}

    // ---- the inspector page

    @NotInApiDocs()
    @Get()
    @PageHeaders('text/html; charset=utf-8')
    page(@Req() request: HttpRequest): string {
      return inspectorPage(requestPath(request));
    }

    @NotInApiDocs()
    @Get('inspector.js')
    @PageHeaders('text/javascript; charset=utf-8')
    script(): string {
      return INSPECTOR_SCRIPT;
    }

    @NotInApiDocs()
    @Get('inspector.css')
    @PageHeaders('text/css; charset=utf-8')
    style(): string {
      return INSPECTOR_STYLE;
    }

    /**
     * Signs the page in: takes the token from `Authorization: Bearer` (never from the URL) and answers
     * with an HttpOnly, SameSite=Strict session cookie scoped to the admin path (Secure over https).
     */
    @NotInApiDocs()
    @Post('session')
    @HttpCode(204)
    @UseGuards(AdminTokenGuard)
    @Header('Cache-Control', 'no-store')
    signIn(@Req() request: HttpRequest, @Res({ passthrough: true }) response: unknown): void {
      const authorization = request.headers.authorization;
      // A session opens a session only with the token itself: a stolen cookie cannot extend itself.
      if (typeof authorization !== 'string') throw new UnauthorizedException('Send Authorization: Bearer <admin token>.');
      const token = authorization.slice(authorization.indexOf(' ') + 1);
      const value = signSession(token, new Date(this.config.clock().getTime() + INSPECTOR_SESSION_MS));
      const cookie = sessionCookie(value, { path: this.cookiePath(request), secure: isHttps(request), maxAge: INSPECTOR_SESSION_MS / 1000 });
      this.setCookie(response, cookie);
    }

    /** What the signed-in page needs: the endpoint names for its filter. */
    @NotInApiDocs()
    @Get('session')
    @UseGuards(AdminTokenGuard)
    @Header('Cache-Control', 'no-store')
    session(): { endpoints: string[] } {
      return { endpoints: this.config.endpoints.map((endpoint) => endpoint.name) };
    }

    /** Signs out: clears the cookie. Needs no token, but the same proof of coming from the page. */
    @NotInApiDocs()
    @Delete('session')
    @HttpCode(204)
    @Header('Cache-Control', 'no-store')
    signOut(@Req() request: HttpRequest, @Res({ passthrough: true }) response: unknown): void {
      if (typeof request.headers.authorization !== 'string') assertNotCrossSite(request);
      this.setCookie(response, sessionCookie('', { path: this.cookiePath(request), secure: isHttps(request), maxAge: 0 }));
    }

    // ---- data

    /** Newest first. With `view=summary`, without raw bodies and headers. Page with `before` (keyset). */
    @Get('deliveries')
    @UseGuards(AdminTokenGuard)
    @Header('Cache-Control', 'no-store')
    find(@Query(query()) params: FindDeliveriesQuery): Promise<StoredDelivery[] | DeliverySummary[]> {
      const found = this.deliveries.find(filterOf(params));
      return params.view === 'summary' ? found.then((list) => list.map(summaryOf)) : found;
    }

    /** How many deliveries match the filter, by status. */
    @Get('deliveries/counts')
    @UseGuards(AdminTokenGuard)
    @Header('Cache-Control', 'no-store')
    async counts(@Query(query()) params: DeliveryFilterQuery): Promise<{ counts: Record<DeliveryStatus, number>; total: number }> {
      const counts = await this.deliveries.countByStatus(filterOf(params));
      return { counts, total: Object.values(counts).reduce((sum, n) => sum + n, 0) };
    }

    /** Replays the processed, failed and dead deliveries matching the filter, newest first, at most `limit` (1000). */
    @Post('deliveries/replay')
    @HttpCode(202)
    @UseGuards(AdminTokenGuard)
    @Header('Cache-Control', 'no-store')
    async replayMatching(@Query(query()) params: ReplayMatchingQuery): Promise<{ replayed: number }> {
      const { allHandlers, limit, ...filter } = params;
      const replayed = await this.deliveries.replayMatching(filterOf(filter), { allHandlers: allHandlers === 'true' || allHandlers === '1', limit });
      return { replayed };
    }

    @Get('deliveries/:id')
    @UseGuards(AdminTokenGuard)
    @Header('Cache-Control', 'no-store')
    async get(@Param('id', ParseUUIDPipe) id: string): Promise<StoredDelivery> {
      const delivery = await this.deliveries.get(id);
      if (!delivery) throw new NotFoundException(`No delivery ${id}.`);
      return delivery;
    }

    /** One delivery as the inspector shows it: signature headers hidden, and its event parsed again from the stored body. */
    @Get('deliveries/:id/inspection')
    @UseGuards(AdminTokenGuard)
    @Header('Cache-Control', 'no-store')
    async inspection(@Param('id', ParseUUIDPipe) id: string): Promise<DeliveryInspection> {
      const delivery = await this.deliveries.get(id);
      if (!delivery) throw new NotFoundException(`No delivery ${id}.`);
      return inspect(delivery, this.config.endpoints);
    }

    @Post('deliveries/:id/replay')
    @HttpCode(202)
    @UseGuards(AdminTokenGuard)
    @Header('Cache-Control', 'no-store')
    async replay(
      @Param('id', ParseUUIDPipe) id: string,
      @Query('allHandlers', new ParseBoolPipe({ optional: true })) allHandlers?: boolean,
    ): Promise<{ replayed: true; id: string }> {
      await this.deliveries.replay(id, { allHandlers });
      return { replayed: true, id };
    }

    @Get('metrics')
    @UseGuards(AdminTokenGuard)
    @Header('Cache-Control', 'no-store')
    metrics() {
      return this.monitor.metrics();
    }

    @Get('stats')
    @UseGuards(AdminTokenGuard)
    @Header('Cache-Control', 'no-store')
    stats(): Promise<WebhookStats> {
      return this.deliveries.stats();
    }

    private setCookie(response: unknown, cookie: string): void {
      this.adapterHost.httpAdapter.setHeader(response, 'Set-Cookie', cookie);
    }

    /** The admin path as the browser addressed it (global prefix included): the session route's path without `/session`. */
    private cookiePath(request: HttpRequest): string {
      const own = requestPath(request).replace(/\/session\/?$/, '');
      return /^\/[\w\-./~%]*$/.test(own) && own.length > 0 ? own : `/${path.replace(/^\/+|\/+$/g, '')}`;
    }
  }
  return WebhookAdminController;
}

function requestPath(request: HttpRequest): string {
  return (request.originalUrl ?? request.url).split('?')[0];
}

/** Over TLS, or behind a proxy the app trusts that says so (Express `trust proxy`, Fastify `trustProxy`). */
function isHttps(request: HttpRequest): boolean {
  return request.protocol === 'https';
}
