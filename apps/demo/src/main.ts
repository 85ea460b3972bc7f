import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadDemoConfig } from './demo.config';
import { DemoModule } from './demo.module';

async function bootstrap(): Promise<void> {
  const config = loadDemoConfig(process.env);
  // Webhook bodies are read by the library itself, on their exact bytes: no `rawBody: true` needed.
  const app = await NestFactory.create(DemoModule.forRoot(config));
  app.enableShutdownHooks();
  await app.listen(config.port);
  new Logger('Demo').log(`Listening on ${await app.getUrl()} (PUBLIC_URL ${config.publicUrl})`);
}

bootstrap().catch((error: unknown) => {
  // Configuration errors name the variable to fix; they never hold a secret.
  new Logger('Demo').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
