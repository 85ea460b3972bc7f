import { Module, type DynamicModule } from '@nestjs/common';
import { requireOptionalPeer } from '../health/optional-peer';
import { PROM_CLIENT, WEBHOOKS_METRICS_CONFIG } from './webhooks-metrics.constants';
import { WebhookMetrics } from './webhook-metrics';
import {
  WEBHOOKS_METRICS_ASYNC_OPTIONS_TYPE,
  WEBHOOKS_METRICS_MODULE_OPTIONS,
  WEBHOOKS_METRICS_OPTIONS_TYPE,
  WebhooksMetricsModuleClass,
} from './webhooks-metrics.module-definition';
import { resolveWebhooksMetricsConfig } from './webhooks-metrics.options';

/**
 * Prometheus metrics of the webhook inbox with prom-client (an optional peer: `npm install prom-client`),
 * fed by `WebhookMonitor`'s lifecycle events; the inbox gauges are read from `stats()` on each scrape.
 * It mounts no route: serve the registry at /metrics, e.g. with @willsoto/nestjs-prometheus.
 * `WebhooksModule.forRoot()` must be in the app.
 */
@Module({})
export class WebhooksMetricsModule extends WebhooksMetricsModuleClass {
  static override forRoot(options: typeof WEBHOOKS_METRICS_OPTIONS_TYPE = {}): DynamicModule {
    return withPromClient(super.forRoot(options));
  }

  static override forRootAsync(options: typeof WEBHOOKS_METRICS_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withPromClient(super.forRootAsync(options));
  }
}

function withPromClient(definition: DynamicModule): DynamicModule {
  // Loaded here, not at the top: the package must load in apps that do not install prom-client.
  const prom = requireOptionalPeer('prom-client', 'WebhooksMetricsModule', 'npm install prom-client', () => require('prom-client'));
  return {
    ...definition,
    providers: [
      ...(definition.providers ?? []),
      { provide: PROM_CLIENT, useValue: prom },
      { provide: WEBHOOKS_METRICS_CONFIG, inject: [WEBHOOKS_METRICS_MODULE_OPTIONS], useFactory: resolveWebhooksMetricsConfig },
      WebhookMetrics,
    ],
  };
}
