import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { WebhooksHealthModuleOptions } from './webhooks-health.options';

export const {
  ConfigurableModuleClass: WebhooksHealthModuleClass,
  MODULE_OPTIONS_TOKEN: WEBHOOKS_HEALTH_MODULE_OPTIONS,
  OPTIONS_TYPE: WEBHOOKS_HEALTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: WEBHOOKS_HEALTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<WebhooksHealthModuleOptions>().setClassMethodName('forRoot').build();
