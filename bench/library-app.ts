// The library alone, for `npm run bench`: WebhooksModule with one Stripe endpoint on PostgreSQL or SQLite,
// the background worker off, so the measure is the request path only (verify, store, acknowledge), like
// the hand-written store-only receiver. Run from source, without a build:
//   node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/library-app.ts
// With FLOOR=1 it is the floor instead: no WebhooksModule and no database, only an empty route at the same
// path that answers the receipt's shape at once (and counts what it answered, on GET /received). What the floor
// sustains is the most any receiver inside Nest's pipeline can on this machine, before verifying or storing.
// Environment: PORT, PLATFORM (express | fastify), FLOOR, DATABASE_URL (PostgreSQL) or SQLITE_PATH (a SQLite file,
// opened in WAL mode as the demo does), STRIPE_WEBHOOK_SECRET.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, Get, HttpCode, Module, Post, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { TypeOrmModule } from '@nestjs/typeorm';
import { stripe, WebhooksModule } from 'nestjs-payment-webhooks';

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

@Module({
  imports: [
    TypeOrmModule.forRoot(
      process.env.DATABASE_URL
        ? { type: 'postgres', url: process.env.DATABASE_URL, logging: false }
        : { type: 'better-sqlite3', database: process.env.SQLITE_PATH ?? ':memory:', enableWAL: true, logging: false },
    ),
    WebhooksModule.forRoot({
      endpoints: [stripe({ secrets: [process.env.STRIPE_WEBHOOK_SECRET ?? ''] })],
      worker: false,
      migrationsRun: true,
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
