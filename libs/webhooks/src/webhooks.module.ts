import { Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { WebhookHandlerRegistry } from './events/webhook-handler.registry';
import { WebhookHandlersExplorer } from './events/webhook-handlers.explorer';
import { WebhookDispatcher } from './events/webhook.dispatcher';
import { WebhookWorker } from './events/webhook.worker';
import { WebhookIngress } from './ingress/webhook-ingress.service';
import { WebhookMonitor } from './monitoring/webhook-monitor';
import { WebhookRoutes } from './ingress/webhook-routes';
import { inboxStoreProvider } from './store/inbox-store.provider';
import { WebhookDeliveries } from './store/webhook-deliveries.service';
import { AdminTokenGuard } from './admin/admin-token.guard';
import { WEBHOOKS_ADMIN_PATH, WEBHOOKS_CONFIG } from './webhooks.constants';
import { ConfigurableModuleClass, WEBHOOKS_MODULE_OPTIONS } from './webhooks.module-definition';
import { resolveWebhooksConfig } from './webhooks.options';

const providers: Provider[] = [
  { provide: WEBHOOKS_CONFIG, inject: [WEBHOOKS_MODULE_OPTIONS, WEBHOOKS_ADMIN_PATH], useFactory: resolveWebhooksConfig },
  AdminTokenGuard,
  inboxStoreProvider,
  WebhookMonitor,
  WebhookIngress,
  WebhookRoutes,
  WebhookHandlerRegistry,
  WebhookHandlersExplorer,
  WebhookDispatcher,
  WebhookWorker,
  WebhookDeliveries,
];

/**
 * Receives payment webhooks: serves one endpoint per provider, verifies each delivery on its exact
 * bytes, stores it before answering 2xx, then runs your `@OnPayment…()` handlers with retries.
 */
@Module({ imports: [DiscoveryModule], providers, exports: [WebhookDeliveries, WebhookMonitor] })
export class WebhooksModule extends ConfigurableModuleClass {}
