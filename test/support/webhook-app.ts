import { Module, type INestApplication, type LoggerService, type ModuleMetadata, type Type } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhookDeliveries, WebhooksModule, type WebhooksModuleOptions } from 'nestjs-payment-webhooks';
import type { TestDatabase } from './test-database';

export type Platform = 'express' | 'fastify';
export type Registration = 'forRoot' | 'forRootAsync';

export const PLATFORMS: Platform[] = ['express', 'fastify'];
export const MATRIX: Array<[Platform, Registration]> = [
  ['express', 'forRoot'],
  ['express', 'forRootAsync'],
  ['fastify', 'forRoot'],
  ['fastify', 'forRootAsync'],
];

export interface WebhookAppOptions {
  platform: Platform;
  registration?: Registration;
  database: TestDatabase;
  webhooks: WebhooksModuleOptions;
  /** Handler providers and anything they need. */
  providers?: ModuleMetadata['providers'];
  imports?: ModuleMetadata['imports'];
  /** Set where the module is imported: isGlobal, dataSource, adminPath. */
  extras?: { adminPath?: string; isGlobal?: boolean };
  /** Receives the app's log (default: none). */
  logger?: LoggerService;
  /** Honour X-Forwarded-For (Express `trust proxy`, Fastify `trustProxy`). */
  trustProxy?: boolean;
  /** Controllers of the app itself. */
  controllers?: ModuleMetadata['controllers'];
  /** Create the app with `rawBody: true` (default), as the README says. */
  rawBody?: boolean;
  /** Runs before `listen`: global prefix, middleware, versioning… */
  configure?: (app: INestApplication) => void;
}

export interface WebhookApp {
  app: INestApplication;
  url: string;
  deliveries: WebhookDeliveries;
  get<T>(type: Type<T>): T;
  close(): Promise<void>;
}

/** Boots a real Nest app (real HTTP server on 127.0.0.1, real database) around WebhooksModule. */
export async function startWebhookApp(options: WebhookAppOptions): Promise<WebhookApp> {
  const webhooks =
    options.registration === 'forRootAsync'
      ? WebhooksModule.forRootAsync({
          imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ webhooks: options.webhooks })] })],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => config.getOrThrow<WebhooksModuleOptions>('webhooks'),
          ...options.extras,
        })
      : WebhooksModule.forRoot({ ...options.webhooks, ...options.extras });

  @Module({
    imports: [TypeOrmModule.forRoot({ ...options.database.options, logging: false }), webhooks, ...(options.imports ?? [])],
    providers: options.providers ?? [],
    controllers: options.controllers ?? [],
  })
  class TestAppModule {}

  const adapter = options.platform === 'fastify' ? new FastifyAdapter({ trustProxy: options.trustProxy ?? false, routerOptions: { ignoreTrailingSlash: true } }) : new ExpressAdapter();
  const app = await NestFactory.create(TestAppModule, adapter, { rawBody: options.rawBody ?? true, logger: options.logger ?? false, abortOnError: false });
  if (options.platform === 'express' && options.trustProxy) (app as unknown as { set(name: string, value: unknown): void }).set('trust proxy', true);
  app.enableShutdownHooks();
  options.configure?.(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    deliveries: app.get(WebhookDeliveries),
    get: (type) => app.get(type),
    close: () => app.close(),
  };
}
