import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadDemoConfig } from './demo.config';
import { setUpApiDocs } from './api-docs';
import { DemoModule } from './demo.module';

async function bootstrap(): Promise<void> {
  const config = loadDemoConfig(process.env);
  // Webhook signatures are checked on the exact bytes received, which Nest keeps with `rawBody: true`.
  const app = await NestFactory.create<NestExpressApplication>(DemoModule.forRoot(config), { rawBody: true, bufferLogs: true });
  // Everything Nest and the webhook library log goes out as pino's JSON lines.
  app.useLogger(app.get(PinoLogger));
  // Express parses JSON up to 100 KiB by default; webhooks get the library's limit (1 MiB).
  app.useBodyParser('json', { limit: '1mb' });
  app.enableShutdownHooks();
  setUpApiDocs(app);
  await app.listen(config.port);
  new Logger('Demo').log(`Listening on ${await app.getUrl()} (PUBLIC_URL ${config.publicUrl})`);
}

bootstrap().catch((error: unknown) => {
  // Configuration errors name the variable to fix; they never hold a secret.
  new Logger('Demo').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
