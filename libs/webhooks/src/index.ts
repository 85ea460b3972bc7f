// The public API of nestjs-payment-webhooks. Nothing else is imported from outside.
export { WebhooksModule } from './webhooks.module';
export { WEBHOOKS_MODULE_OPTIONS } from './webhooks.module-definition';
export { WebhooksConfigError, type WebhooksModuleOptions } from './webhooks.options';
export { LEASE_LOST_CHANNEL, REFUSAL_CHANNEL, WEBHOOK_CHANNELS, WEBHOOK_ENDPOINT_METADATA, WEBHOOK_INBOX_STORE } from './webhooks.constants';
export { WebhookEndpoint } from './ingress/webhook-endpoint.decorator';
export { WebhookSignatureGuard } from './ingress/webhook-signature.guard';
export { WebhookReceiptInterceptor } from './ingress/webhook-receipt.interceptor';
export type { WebhookReceipt } from './ingress/webhook-ingress.service';

export { PAYMENT_EVENT_TYPES, type PaymentEvent, type PaymentEventType, type ProviderEvent } from './events/payment-event';
export {
  OnPaymentBatch,
  OnPaymentCancelled,
  OnPaymentCompleted,
  OnPaymentEvent,
  OnPaymentExpired,
  OnPaymentFailed,
  OnPaymentPending,
  OnPaymentRefunded,
  OnProviderEvent,
} from './events/on-payment.decorators';
export type { HandlerNameOption, PaymentBatchOptions, PaymentHandlerOptions } from './events/handler-subscription';
export type { WebhookHandlerContext } from './events/webhook-handler-context';
export type { WebhookBatchContext, WebhookBatchItem } from './events/webhook-batch-context';
export type { RunSummary } from './events/webhook.worker';

export type { RawWebhookRequest, VerificationResult, WebhookProvider } from './providers/webhook-provider.interface';
export type { EndpointOptions } from './providers/provider-options';
export { stripe, normalizeStripeEvent, type StripeProvider, type StripeProviderOptions } from './providers/stripe/stripe.provider';
export { PAYSTACK_IPS, paystack, type PaystackEvent, type PaystackProvider, type PaystackProviderOptions } from './providers/paystack/paystack.provider';
export { feexpay, type FeexpayConfirmOptions, type FeexpayEvent, type FeexpayProvider, type FeexpayProviderOptions } from './providers/feexpay/feexpay.provider';
export { PAYQI_DEFAULT_DECIMALS, payqi, type PayqiEvent, type PayqiProvider, type PayqiProviderOptions } from './providers/payqi/payqi.provider';
export {
  standardWebhooks,
  type StandardWebhookMessage,
  type StandardWebhooksProvider,
  type StandardWebhooksProviderOptions,
} from './providers/standard-webhooks/standard-webhooks.provider';
export { mvola, type MvolaProvider, type MvolaProviderOptions } from './providers/mvola/mvola.provider';
export {
  MvolaApiClient,
  type MvolaApiOptions,
  type MvolaMerchantPayment,
  type MvolaMerchantPaymentRequest,
  type MvolaTransactionStatus,
} from './providers/mvola/mvola-api.client';
export { MvolaApiError, type MvolaApiFailure } from './providers/mvola/mvola-api.error';
export type { MvolaCallback, MvolaGuideCallback, MvolaMerchantPayCallback } from './providers/mvola/mvola-callback';
export { decimalToMinor, integerMinor, normalizeCurrency } from './providers/money';
export type { WebhookSecret } from './secrets/webhook-secret';
export { readSecret, readSecretList, type ReadSecretOptions } from './secrets/read-secret';

export { REFUSAL_REASONS, type RefusalReason } from './errors/refusal-reason';
export { WebhookVerificationError, type VerificationReason } from './errors/webhook-verification.error';
export { WebhookPayloadError } from './errors/webhook-payload.error';
export { ConfirmationUnavailableError } from './errors/confirmation-unavailable.error';
export { NonRetryableWebhookError } from './errors/non-retryable-webhook.error';
export {
  WebhookMonitor,
  type WebhookDeliveryOutcome,
  type WebhookLeaseLost,
  type WebhookLifecycleEvent,
  type WebhookRefusal,
  type WebhookStoreFailure,
} from './monitoring/webhook-monitor';

export { MAX_BULK_REPLAY, WebhookDeliveries, type WebhookStats } from './store/webhook-deliveries.service';
export type { DeliveryInspection, DeliverySummary } from './admin/inspector/delivery-inspection';
export type {
  ClaimedDelivery,
  ClaimRequest,
  DeliveryCursor,
  DeliveryFilter,
  DeliveryStatus,
  FailureOutcome,
  HandlerOutcome,
  HandlerStatus,
  InboxStats,
  NewDelivery,
  InsertResult,
  StoredDelivery,
  WebhookInboxStore,
} from './store/inbox-store.interface';
export { TypeOrmInboxStore, type TypeOrmInboxStoreOptions } from './store/typeorm-inbox.store';
export { StoreUnavailableError } from './store/store-unavailable.error';
export { LeaseLostError } from './store/lease-lost.error';
export { WEBHOOK_MIGRATIONS } from './store/migrations';
export { WEBHOOK_ENTITIES } from './store/entities';
export { WebhookDeliveryEntity } from './store/webhook-delivery.entity';
export { WebhookDeliveryPayloadEntity } from './store/webhook-delivery-payload.entity';
export { WebhookHandlerRunEntity } from './store/webhook-handler-run.entity';
export { WebhookMigrator } from './store/webhook-migrator';

export { WebhooksHealthModule } from './health/webhooks-health.module';
export { WebhooksHealthIndicator, type WebhooksHealthResult } from './health/webhooks-health.indicator';
export type { WebhooksHealthModuleOptions } from './health/webhooks-health.options';
export { MissingPeerDependencyError } from './health/optional-peer';
export { WebhooksMetricsModule } from './metrics/webhooks-metrics.module';
export { WEBHOOK_METRIC_NAMES } from './metrics/webhook-metrics';
export type { PrometheusRegistry, WebhooksMetricsModuleOptions } from './metrics/webhooks-metrics.options';
