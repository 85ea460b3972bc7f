/** Injection token of the resolved, validated module configuration. */
export const WEBHOOKS_CONFIG = Symbol('webhooks:config');
/** Injection token of the inbox store (`WebhookInboxStore`). */
export const WEBHOOK_INBOX_STORE = Symbol('webhooks:inbox-store');
/** Metadata key of handler methods (`@OnPaymentCompleted()`, `@OnProviderEvent()`…). */
export const WEBHOOK_HANDLER_METADATA = 'webhooks:handler';
/** `node:diagnostics_channel` names of the lifecycle events, one channel per kind. */
export const WEBHOOK_CHANNELS = {
  refused: 'nestjs-payment-webhooks:refused',
  stored: 'nestjs-payment-webhooks:stored',
  'store-failed': 'nestjs-payment-webhooks:store-failed',
  processed: 'nestjs-payment-webhooks:processed',
  'retry-scheduled': 'nestjs-payment-webhooks:retry-scheduled',
  'dead-lettered': 'nestjs-payment-webhooks:dead-lettered',
  'lease-lost': 'nestjs-payment-webhooks:lease-lost',
  'handler-finished': 'nestjs-payment-webhooks:handler-finished',
} as const;
/** `node:diagnostics_channel` name on which every refused delivery is published. */
export const REFUSAL_CHANNEL = WEBHOOK_CHANNELS.refused;
/** The TypeORM data source of the inbox (an alias of the one named by the `dataSource` extra). */
export const WEBHOOK_DATA_SOURCE = Symbol('webhooks:data-source');
/** `node:diagnostics_channel` name on which every lost lease is published. */
export const LEASE_LOST_CHANNEL = WEBHOOK_CHANNELS['lease-lost'];
/** The `adminPath` extra, when the admin API is mounted. */
export const WEBHOOKS_ADMIN_PATH = Symbol('webhooks:admin-path');
/** Metadata key of a route that receives one endpoint's deliveries (`@WebhookEndpoint(name)`). */
export const WEBHOOK_ENDPOINT_METADATA = 'webhooks:endpoint';
/** Metadata key of the methods a webhook path accepts, on the routes that answer 405. */
export const WEBHOOK_ALLOWED_METHODS_METADATA = 'webhooks:allowed-methods';
/** Key of the verified delivery on the request, set by the guard for the receipt interceptor. */
export const VERIFIED_DELIVERY = Symbol('webhooks:verified-delivery');
