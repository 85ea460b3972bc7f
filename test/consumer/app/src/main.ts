import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';

// As the README's "Installing in your app" says: rawBody, the body limit, the global prefix, shutdown hooks.
async function bootstrap(): Promise<void> {
  const platform = process.env.PLATFORM ?? 'express';
  if (platform === 'fastify') {
    const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter({ bodyLimit: 1024 * 1024 }), { rawBody: true });
    await start(app, platform);
  } else {
    const app = await NestFactory.create<NestExpressApplication>(AppModule, new ExpressAdapter(), { rawBody: true });
    app.useBodyParser('json', { limit: '1mb' });
    await start(app, platform);
  }
}

async function start(app: NestExpressApplication | NestFastifyApplication, platform: string): Promise<void> {
  if (process.env.GLOBAL_PREFIX) app.setGlobalPrefix(process.env.GLOBAL_PREFIX);
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  console.log(`consumer app listening on ${await app.getUrl()} (${platform})`);
}

void bootstrap();
