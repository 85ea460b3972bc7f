import { Module, type Provider } from '@nestjs/common';
import { DiscoveryModule, ModulesContainer } from '@nestjs/core';
import { WebhookHandlerRegistry } from './events/webhook-handler.registry';
import { WebhookHandlersExplorer } from './events/webhook-handlers.explorer';
import { WebhookDispatcher } from './events/webhook.dispatcher';
import { WebhookWorker } from './events/webhook.worker';
import { WebhookIngress } from './ingress/webhook-ingress.service';
import { WebhookMonitor } from './monitoring/webhook-monitor';
import { BodyErrorAnswers } from './ingress/body-error-answers';
import { ExpressBodyReader } from './ingress/express-body-reader';
import { ExpressClientErrors } from './ingress/express-client-errors';
import { MethodNotAllowedGuard } from './ingress/method-not-allowed.guard';
import { WebhookReceiptInterceptor } from './ingress/webhook-receipt.interceptor';
import { WebhookSignatureGuard } from './ingress/webhook-signature.guard';
import { inboxStoreProvider } from './store/inbox-store.provider';
import { WebhookDeliveries } from './store/webhook-deliveries.service';
import { AdminTokenGuard } from './admin/admin-token.guard';
import { WEBHOOKS_ADMIN_PATH, WEBHOOKS_CONFIG } from './webhooks.constants';
import { ConfigurableModuleClass, WEBHOOKS_MODULE_OPTIONS } from './webhooks.module-definition';
import { resolveWebhooksConfig, WebhooksConfigError, type WebhooksModuleOptions } from './webhooks.options';

const providers: Provider[] = [
  {
    provide: WEBHOOKS_CONFIG,
    inject: [WEBHOOKS_MODULE_OPTIONS, WEBHOOKS_ADMIN_PATH, ModulesContainer],
    useFactory: (options: WebhooksModuleOptions, adminPath: string | undefined, modules: ModulesContainer) => {
      assertImportedOnce(modules);
      return resolveWebhooksConfig(options, adminPath);
    },
  },
  AdminTokenGuard,
  inboxStoreProvider,
  WebhookMonitor,
  WebhookIngress,
  WebhookSignatureGuard,
  WebhookReceiptInterceptor,
  MethodNotAllowedGuard,
  BodyErrorAnswers,
  ExpressBodyReader,
  ExpressClientErrors,
  WebhookHandlerRegistry,
  WebhookHandlersExplorer,
  WebhookDispatcher,
  WebhookWorker,
  WebhookDeliveries,
];

/**
 * Receives payment webhooks: a controller serves one endpoint per entry of `endpoints`, guarded by
 * `WebhookSignatureGuard` (verified on the raw body), stores each delivery before answering 2xx, then
 * runs your `@OnPayment…()` handlers with retries.
 */
@Module({
  imports: [DiscoveryModule],
  providers,
  // The guard and interceptor are exported with what they need, for `@WebhookEndpoint()` routes of the app.
  exports: [WebhookDeliveries, WebhookMonitor, WebhookIngress, WebhookSignatureGuard, WebhookReceiptInterceptor],
})
export class WebhooksModule extends ConfigurableModuleClass {}

/** Two imports would run two workers and declare every route twice: stop before anything starts. */
function assertImportedOnce(modules: ModulesContainer): void {
  const imports = [...modules.values()].filter((module) => module.providers.has(WEBHOOKS_CONFIG));
  if (imports.length > 1) {
    throw new WebhooksConfigError([
      `WebhooksModule.forRoot() is imported ${imports.length} times; import it once, in the root module (isGlobal: true makes its services injectable everywhere)`,
    ]);
  }
}
