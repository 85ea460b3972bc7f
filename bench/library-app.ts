// The library alone, for `npm run bench`: WebhooksModule with one Stripe endpoint on PostgreSQL or SQLite,
// the background worker off, so the measure is the request path only (verify, store, acknowledge), like
// the hand-written store-only receiver. The bench compiles it (tsc -p bench/tsconfig.json) and runs
//   node -r tsconfig-paths/register dist/bench/bench/library-app.js   (TS_NODE_BASEURL=dist/bench)
// With FLOOR=1 it is the floor instead: no WebhooksModule and no database, only an empty route at the same
// path that answers the receipt's shape at once (and counts what it answered, on GET /received). What the floor
// sustains is the most any receiver inside Nest's pipeline can on this machine, before verifying or storing.
// For `npm run bench:instructions`, parts of the library can be left out: STORE=none answers every delivery at once
// without a database (no TypeORM at all), STRATEGY=none replaces the Stripe strategy with one that checks and
// reads nothing, so what is left is the library's place in Nest's pipeline.
// Environment: PORT, PLATFORM (express | fastify), FLOOR, STORE, STRATEGY, DATABASE_URL (PostgreSQL) or SQLITE_PATH
// (a SQLite file, opened in WAL mode as the demo does), STRIPE_WEBHOOK_SECRET.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, Get, HttpCode, Module, Post, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { TypeOrmModule } from '@nestjs/typeorm';
import { stripe, WebhooksModule, type WebhookInboxStore, type WebhookProvider } from 'nestjs-payment-webhooks';

@Controller('health')
class HealthController {
  @Get()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

let received = 0;

@Controller()
class FloorController {
  @Post('webhooks/stripe')
  @HttpCode(200)
  receive(): { received: true; id: string; duplicate: false } {
    received++;
    return { received: true, id: randomUUID(), duplicate: false };
  }

  @Get('received')
  received(): { count: number } {
    return { count: received };
  }
}

@Module({ controllers: [HealthController, FloorController] })
class FloorBenchModule {}

// STORE=none: stored at once, nowhere; only what the ingress calls is there.
const storeNowhere = { insertOrFind: async () => ({ id: randomUUID(), duplicate: false }) } as Partial<WebhookInboxStore> as WebhookInboxStore;
// STRATEGY=none: every request is a delivery, nothing verified nor read.
const acceptAnything: WebhookProvider = { name: 'stripe', verify: () => undefined, parse: () => ({ provider: 'stripe', id: 'evt_unread', type: 'unread', payload: null }) };
const noStore = process.env.STORE === 'none';

@Module({
  imports: [
    ...(noStore
      ? []
      : [
          TypeOrmModule.forRoot(
            process.env.DATABASE_URL
              ? { type: 'postgres', url: process.env.DATABASE_URL, logging: false }
              : { type: 'better-sqlite3', database: process.env.SQLITE_PATH ?? ':memory:', enableWAL: true, logging: false },
          ),
        ]),
    WebhooksModule.forRoot({
      endpoints: [process.env.STRATEGY === 'none' ? acceptAnything : stripe({ secrets: [process.env.STRIPE_WEBHOOK_SECRET ?? ''] })],
      worker: false,
      migrationsRun: true,
      ...(noStore ? { store: storeNowhere } : {}),
    }),
  ],
  controllers: [HealthController],
})
class LibraryBenchModule {}

async function main(): Promise<void> {
  const adapter = process.env.PLATFORM === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
  const root: Type<unknown> | DynamicModule = process.env.FLOOR === '1' ? FloorBenchModule : LibraryBenchModule;
  const app = await NestFactory.create(root, adapter, { rawBody: true, logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3002), '127.0.0.1');
  // Started with an IPC channel by bench/run.js: if the bench dies, so does this process.
  if (process.channel) {
    process.once('disconnect', () => void app.close().finally(() => process.exit(0)));
    process.channel.unref();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
