import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { WebhooksMetricsModuleOptions } from './webhooks-metrics.options';

export const {
  ConfigurableModuleClass: WebhooksMetricsModuleClass,
  MODULE_OPTIONS_TOKEN: WEBHOOKS_METRICS_MODULE_OPTIONS,
  OPTIONS_TYPE: WEBHOOKS_METRICS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: WEBHOOKS_METRICS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<WebhooksMetricsModuleOptions>().setClassMethodName('forRoot').build();
