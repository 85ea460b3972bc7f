import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { WebhooksHealthIndicator } from 'nestjs-payment-webhooks';

/** The container's health check and the load balancer's readiness probe, answered by @nestjs/terminus. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly webhooks: WebhooksHealthIndicator,
  ) {}

  /**
   * Liveness, for the Docker HEALTHCHECK: the process answers and the webhook worker is not stuck. No
   * database in it: a database outage must not get every replica restarted (they answer 503 meanwhile).
   */
  @Get()
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([() => this.webhooks.isWorkerAlive()]);
  }

  /** Readiness: the inbox answers, and the backlog and its oldest delivery are within the thresholds. */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.webhooks.isInboxReachable(), () => this.webhooks.isBacklogHealthy()]);
  }
}
