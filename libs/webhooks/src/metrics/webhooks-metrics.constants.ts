/** Injection token of the resolved `WebhooksMetricsModule` options. */
export const WEBHOOKS_METRICS_CONFIG = Symbol('webhooks:metrics-config');
/** Injection token of the prom-client module, loaded only when the metrics module is used. */
export const PROM_CLIENT = Symbol('webhooks:prom-client');
