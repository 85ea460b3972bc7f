import { ConfigurableModuleBuilder } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { createWebhookAdminController } from './admin/webhook-admin.controller';
import { createWebhookController } from './ingress/webhook.controller';
import { WEBHOOK_DATA_SOURCE, WEBHOOKS_ADMIN_PATH } from './webhooks.constants';
import type { WebhooksModuleOptions } from './webhooks.options';

/** Set where the module is imported (not in the options factory), since they shape the module itself. */
export interface WebhooksModuleExtras {
  /** Make WebhookDeliveries injectable everywhere without importing the module. */
  isGlobal?: boolean;
  /** Name of the TypeORM data source holding the inbox, as given to TypeOrmModule. Default: the default one. */
  dataSource?: string;
  /** Mounts the admin API (list, inspect, replay deliveries; metrics) at this path, behind `adminToken`. */
  adminPath?: string;
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN: WEBHOOKS_MODULE_OPTIONS } = new ConfigurableModuleBuilder<WebhooksModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<WebhooksModuleExtras>({ isGlobal: false, dataSource: undefined, adminPath: undefined }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
    providers: [
      ...(definition.providers ?? []),
      // Optional: a module given its own `store` needs no TypeORM at all.
      { provide: WEBHOOK_DATA_SOURCE, useFactory: (dataSource?: DataSource) => dataSource ?? null, inject: [{ token: getDataSourceToken(extras.dataSource), optional: true }] },
      { provide: WEBHOOKS_ADMIN_PATH, useValue: extras.adminPath },
    ],
    // One controller class per import: its routes are declared from this import's options.
    controllers: [...(definition.controllers ?? []), createWebhookController(), ...(extras.adminPath ? [createWebhookAdminController(extras.adminPath)] : [])],
  }))
  .build();
