import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { DEMO_ADMIN_PATH } from './demo.config';

/**
 * OpenAPI for the demo's routes and, when mounted, the webhook library's admin API, at GET /docs
 * (JSON at /docs/json). The webhook endpoints and the inspector's page routes leave themselves out.
 */
export function setUpApiDocs(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('nestjs-payment-webhooks demo')
    .setDescription('Event registrations whose seats are settled only by payment webhooks.')
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'WEBHOOKS_ADMIN_TOKEN' }, 'admin-token')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // The admin controller comes from the library, which carries no Swagger decorators: tag and secure it here.
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith(`/${DEMO_ADMIN_PATH}/`)) continue;
    for (const operation of Object.values(item)) {
      if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue;
      operation.tags = ['webhook deliveries (admin)'];
      operation.security = [{ 'admin-token': [] }];
    }
  }
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
  return document;
}
