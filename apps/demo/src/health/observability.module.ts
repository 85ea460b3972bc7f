import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { WebhooksHealthModule, WebhooksMetricsModule } from 'nestjs-payment-webhooks';
import { HealthController } from './health.controller';

/**
 * GET /health (liveness), GET /health/ready (readiness) and GET /metrics (Prometheus: the library's
 * webhooks_* metrics and Node's process metrics, all in prom-client's global registry).
 */
@Module({
  // Evaluated once per process, when this file loads: process metrics are registered once however many
  // times the demo module is created (the end-to-end tests create it again and again).
  imports: [PrometheusModule.register(), WebhooksHealthModule.forRoot(), WebhooksMetricsModule.forRoot()],
  controllers: [HealthController],
})
export class ObservabilityModule {}
