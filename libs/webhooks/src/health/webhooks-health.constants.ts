/** Injection token of the resolved `WebhooksHealthModule` options. */
export const WEBHOOKS_HEALTH_CONFIG = Symbol('webhooks:health-config');
/** Injection token of @nestjs/terminus's `HealthIndicatorService`, loaded only when the health module is used. */
export const HEALTH_INDICATOR_SERVICE = Symbol('webhooks:health-indicator-service');
