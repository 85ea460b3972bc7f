import {
  Controller,
  Get,
  Injectable,
  Module,
  Post,
  SetMetadata,
  UnauthorizedException,
  UseGuards,
  VersioningType,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, NestFactory, Reflector } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { TypeOrmModule } from '@nestjs/typeorm';
import { tap } from 'rxjs';
import request from 'supertest';
import { stripe, WebhookEndpoint, WebhooksModule } from 'nestjs-payment-webhooks';
import { signStripe } from 'nestjs-payment-webhooks/testing';
import { checkoutCompleted } from './support/stripe-fixtures';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { useWebhookApp } from './support/use-webhook-app';
import { PLATFORMS, startWebhookApp, type WebhookApp } from './support/webhook-app';

const SECRET = 'whsec_test_pipeline';
const IS_PUBLIC = 'test:is-public';
const signed = (reference: string) => signStripe({ payload: checkoutCompleted(reference), secret: SECRET });
const post = (url: string, path: string, delivery = signed(`REF-${Math.random()}`)) => request(url).post(path).set(delivery.headers).send(delivery.body);

/** The app's own routes under the webhook prefix: the library must not capture them. */
@Controller('webhooks')
class AppWebhooksController {
  @Post('other')
  other() {
    return { owner: 'app' };
  }

  @Get('stripe/status')
  status() {
    return { owner: 'app' };
  }

  // A URL registered in a dashboard long ago, kept as a route of the app's own.
  @Post('legacy/stripe-hook')
  @WebhookEndpoint('stripe')
  @SetMetadata(IS_PUBLIC, true)
  legacy(): string {
    return 'ignored: the receipt is the answer';
  }
}

/** A global auth guard as apps have them: everything needs a token unless marked public. */
@Injectable()
class TokenGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}
  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.get(IS_PUBLIC, context.getHandler())) return true;
    if (context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers['x-token'] !== 'ok') throw new UnauthorizedException('token');
    return true;
  }
}

/** Sees every request that reaches a route: the webhook routes are inside Nest's pipeline. */
@Injectable()
class SeenByInterceptor implements NestInterceptor {
  static paths: string[] = [];
  intercept(context: ExecutionContext, next: CallHandler) {
    const path = context.switchToHttp().getRequest<{ url: string }>().url;
    return next.handle().pipe(tap(() => SeenByInterceptor.paths.push(path)));
  }
}

describe.each(PLATFORMS)('The endpoints are a Nest controller inside the app\'s pipeline, on %s', (platform) => {
  const middlewareSaw: string[] = [];
  const bodiesSeen: unknown[] = [];
  const app = useWebhookApp({
    platform,
    webhooks: { endpoints: [stripe({ secrets: [SECRET] })], worker: false, decorators: [SetMetadata(IS_PUBLIC, true)] },
    controllers: [AppWebhooksController],
    providers: [
      { provide: APP_GUARD, useClass: TokenGuard },
      { provide: APP_INTERCEPTOR, useClass: SeenByInterceptor },
    ],
    configure: (nest: INestApplication) => {
      nest.setGlobalPrefix('api');
      nest.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
      nest.use((req: { url: string; body?: unknown }, _res: unknown, next: () => void) => {
        middlewareSaw.push(req.url);
        bodiesSeen.push(req.body);
        next();
      });
    },
  });
  let harness: WebhookApp;
  beforeAll(() => (harness = app()));

  it('serves the endpoint under the global prefix, version-neutral, through middleware and interceptors', async () => {
    const response = await post(harness.url, '/api/webhooks/stripe');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ received: true, id: expect.any(String), duplicate: false });
    expect(middlewareSaw).toContain('/api/webhooks/stripe');
    // On Express the app's middleware sees the parsed body, as its JSON parser would leave it (Fastify parses after middleware).
    if (platform === 'express') expect(bodiesSeen[middlewareSaw.indexOf('/api/webhooks/stripe')]).toMatchObject({ object: 'event', type: 'checkout.session.completed' });
    expect(SeenByInterceptor.paths).toContain('/api/webhooks/stripe');
    expect((await post(harness.url, '/webhooks/stripe')).status).toBe(404);
  });

  it('exempts its routes from a global auth guard through the decorators option, and leaves the app\'s routes guarded', async () => {
    expect((await request(harness.url).post('/api/v1/webhooks/other')).status).toBe(401);
    expect((await request(harness.url).post('/api/v1/webhooks/other').set('x-token', 'ok')).body).toEqual({ owner: 'app' });
  });

  it('captures nothing the app owns under its prefix', async () => {
    expect((await request(harness.url).get('/api/v1/webhooks/stripe/status').set('x-token', 'ok')).body).toEqual({ owner: 'app' });
  });

  it('makes a route of the app an endpoint with @WebhookEndpoint(): guard, storing and the same answers', async () => {
    const delivery = signed('LEGACY-1');
    const first = await post(harness.url, '/api/v1/webhooks/legacy/stripe-hook', delivery);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: true, id: expect.any(String), duplicate: false });
    expect(await harness.deliveries.get(first.body.id)).toMatchObject({ provider: 'stripe', reference: 'LEGACY-1' });
    expect((await post(harness.url, '/api/v1/webhooks/legacy/stripe-hook', delivery)).body).toEqual({ received: true, id: first.body.id, duplicate: true });

    const forged = signStripe({ payload: checkoutCompleted('LEGACY-2'), secret: 'whsec_test_forged' });
    const refused = await post(harness.url, '/api/v1/webhooks/legacy/stripe-hook', forged);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ statusCode: 401, reason: 'invalid-signature' });
  });
});

describe.each(PLATFORMS)('An endpoint excluded from the global prefix keeps its absolute URL, on %s', (platform) => {
  const app = useWebhookApp({
    platform,
    webhooks: { endpoints: [stripe({ secrets: [SECRET] })], worker: false },
    configure: (nest: INestApplication) => nest.setGlobalPrefix('api', { exclude: ['webhooks/stripe'] }),
  });

  it('answers at /webhooks/stripe, not under /api', async () => {
    expect((await post(app().url, '/webhooks/stripe')).body).toMatchObject({ received: true, duplicate: false });
    expect((await post(app().url, '/api/webhooks/stripe')).status).toBe(404);
  });
});

describe('Mistakes in wiring the ingress stop the start or say how to fix them', () => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase()));
  afterAll(async () => database.drop());

  const startError = async (start: () => Promise<WebhookApp>): Promise<string> => {
    try {
      await (await start()).close();
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('the application started');
  };

  it.each([
    // Fastify keeps no raw body without the option: the library's endpoint cannot verify.
    ['fastify', '/webhooks/stripe'],
    // Express: the library reads its own endpoints' bodies, so only a route of the app made an endpoint depends on it.
    ['express', '/webhooks/legacy/stripe-hook'],
  ] as const)('an app created without rawBody (%s): a delivery to %s gets a 500 that names the fix, logged once', async (platform, path) => {
    const errors: string[] = [];
    const logger = { log() {}, warn() {}, error: (message: unknown) => errors.push(String(message)), debug() {}, verbose() {} };
    const app = await startWebhookApp({
      platform,
      database,
      rawBody: false,
      logger,
      webhooks: { endpoints: [stripe({ secrets: [SECRET] })], worker: false },
      controllers: [AppWebhooksController],
    });
    try {
      const before = (await app.deliveries.find({})).length;
      const first = await post(app.url, path);
      expect(first.status).toBe(500);
      expect(first.body.message).toContain('NestFactory.create(AppModule, { rawBody: true })');
      expect((await post(app.url, path)).status).toBe(500);
      expect(errors.filter((line) => line.includes('rawBody: true'))).toHaveLength(1);
      expect(await app.deliveries.find({})).toHaveLength(before);
      if (platform === 'express') expect((await post(app.url, '/webhooks/stripe')).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('WebhooksModule.forRoot() imported twice', async () => {
    const message = await startError(() =>
      startWebhookApp({ platform: 'express', database, webhooks: { endpoints: [stripe({ secrets: [SECRET] })] }, imports: [WebhooksModule.forRoot({ endpoints: [stripe({ secrets: [SECRET] })] })] }),
    );
    expect(message).toContain('WebhooksModule.forRoot() is imported 2 times');
  });

  it('@WebhookEndpoint() naming an endpoint that is not configured', async () => {
    @Controller()
    class Misnamed {
      @Post('hook')
      @WebhookEndpoint('stripe-eu')
      hook(): void {}
    }
    const message = await startError(() => startWebhookApp({ platform: 'express', database, webhooks: { endpoints: [stripe({ secrets: [SECRET] })] }, controllers: [Misnamed] }));
    expect(message).toContain("Misnamed.hook: @WebhookEndpoint('stripe-eu') names no configured endpoint (configured: stripe)");
  });

  it('a guard in the decorators option, which Nest would skip silently', async () => {
    const message = await startError(() =>
      startWebhookApp({ platform: 'express', database, webhooks: { endpoints: [stripe({ secrets: [SECRET] })], decorators: [UseGuards(TokenGuard)] } }),
    );
    expect(message).toContain('decorators: only metadata decorators');
  });

  it('a path with a trailing slash on Fastify, whose router would answer it 404 forever', async () => {
    @Module({ imports: [TypeOrmModule.forRoot(database.options), WebhooksModule.forRoot({ endpoints: [stripe({ secrets: [SECRET], path: '/payments/hook/' })] })] })
    class TrailingSlashModule {}
    await expect(NestFactory.create(TrailingSlashModule, new FastifyAdapter(), { rawBody: true, logger: false, abortOnError: false })).rejects.toThrow(
      'endpoints[0].path: "/payments/hook/" ends with a slash, which Fastify matches only with new FastifyAdapter({ routerOptions: { ignoreTrailingSlash: true } })',
    );
  });

  it('@WebhookEndpoint() without a name fails where it is applied', () => {
    expect(() => WebhookEndpoint('' as string)).toThrow(TypeError);
  });
});
