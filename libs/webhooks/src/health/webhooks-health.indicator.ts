import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Subscription } from 'rxjs';
import { WebhookWorker } from '../events/webhook.worker';
import { WebhookMonitor } from '../monitoring/webhook-monitor';
import { WebhookDeliveries } from '../store/webhook-deliveries.service';
import { WEBHOOKS_CONFIG } from '../webhooks.constants';
import { WebhooksConfigError, type WebhooksConfig } from '../webhooks.options';
import { InboxStatsReader } from './inbox-stats-reader';
import { HEALTH_INDICATOR_SERVICE, WEBHOOKS_HEALTH_CONFIG } from './webhooks-health.constants';
import type { WebhooksHealthConfig } from './webhooks-health.options';

/** One check's answer, shaped as @nestjs/terminus's `HealthIndicatorResult`: `{ [key]: { status, ...details } }`. */
export type WebhooksHealthResult<Key extends string = string> = Record<Key, { status: 'up' | 'down'; [detail: string]: unknown }>;

/** What the indicator uses of terminus's `HealthIndicatorService` (the same in terminus 11 and 12). */
export interface HealthIndicatorSessions {
  check(key: string): {
    up(data?: Record<string, unknown>): WebhooksHealthResult;
    down(data?: Record<string, unknown>): WebhooksHealthResult;
  };
}

/** Lifecycle events after which a delivery no longer runs here: the worker made progress. */
const FINISHED = new Set(['processed', 'retry-scheduled', 'dead-lettered', 'lease-lost']);

/**
 * Health indicators of the webhook inbox, for @nestjs/terminus's `HealthCheckService`:
 * `isWorkerAlive()` for liveness (no database in it: a restart does not bring a database back),
 * `isInboxReachable()` and `isBacklogHealthy()` for readiness (one inbox query for both).
 */
@Injectable()
export class WebhooksHealthIndicator implements OnModuleInit, OnModuleDestroy {
  private deliveries!: WebhookDeliveries;
  private worker!: WebhookWorker;
  private webhooks!: WebhooksConfig;
  private stats!: InboxStatsReader;
  private subscription?: Subscription;
  private lastFinishedAt = new Date();

  constructor(
    @Inject(HEALTH_INDICATOR_SERVICE) private readonly indicators: HealthIndicatorSessions,
    @Inject(WEBHOOKS_HEALTH_CONFIG) private readonly config: WebhooksHealthConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    // WebhooksModule need not be global: its services are looked up in the whole app, as they are.
    let monitor: WebhookMonitor;
    try {
      this.webhooks = this.moduleRef.get<WebhooksConfig>(WEBHOOKS_CONFIG, { strict: false });
      this.deliveries = this.moduleRef.get(WebhookDeliveries, { strict: false });
      this.worker = this.moduleRef.get(WebhookWorker, { strict: false });
      monitor = this.moduleRef.get(WebhookMonitor, { strict: false });
    } catch {
      throw new WebhooksConfigError(['WebhooksHealthModule: WebhooksModule is not in this app; import WebhooksModule.forRoot() too']);
    }
    this.stats = new InboxStatsReader(this.deliveries, this.config.timeoutMs);
    this.lastFinishedAt = this.webhooks.clock();
    this.subscription = monitor.events$.subscribe((event) => {
      if (FINISHED.has(event.kind)) this.lastFinishedAt = event.at;
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /**
   * Liveness: the background worker runs and is not stuck, i.e. not every delivery in flight has run
   * longer than `workerStallMs` with none finishing meanwhile. Up with `running: false` when the module
   * has `worker: false`. Failing claims (the database down) are shown, not counted against it.
   */
  async isWorkerAlive(key = 'webhooks-worker'): Promise<WebhooksHealthResult> {
    const session = this.indicators.check(key);
    const activity = this.worker.activity;
    const now = this.webhooks.clock().getTime();
    const oldestInFlightMs = activity.oldestStartedAt ? Math.max(0, now - activity.oldestStartedAt.getTime()) : 0;
    const sinceLastFinishedMs = Math.max(0, now - this.lastFinishedAt.getTime());
    const details = {
      running: activity.running,
      inFlight: activity.inFlight,
      waiting: activity.waiting,
      oldestInFlightMs,
      sinceLastFinishedMs,
      failedClaims: activity.failedClaims,
    };
    if (!this.webhooks.worker) {
      return session.up({ ...details, message: 'worker: false; deliveries are processed by WebhookDeliveries.runOnce()' });
    }
    if (!activity.running) {
      return session.down({ ...details, message: 'The background worker is not running: not started yet, or shutting down.' });
    }
    const stall = this.config.workerStallMs;
    if (activity.inFlight > 0 && oldestInFlightMs > stall && sinceLastFinishedMs > stall) {
      return session.down({
        ...details,
        message:
          `The worker is stuck: ${activity.inFlight} delivery(ies) in flight, the oldest for ${oldestInFlightMs} ms, ` +
          `none finished for ${sinceLastFinishedMs} ms (workerStallMs ${stall}).`,
      });
    }
    return session.up(details);
  }

  /** Readiness: the inbox store answers its stats query within `timeoutMs`. */
  async isInboxReachable(key = 'webhooks-inbox'): Promise<WebhooksHealthResult> {
    const session = this.indicators.check(key);
    const started = performance.now();
    try {
      await this.stats.read();
    } catch (error) {
      return session.down({ message: `The inbox store failed: ${describe(error)}` });
    }
    return session.up({ responseTimeMs: Math.round(performance.now() - started) });
  }

  /** Readiness: the backlog and the age of the oldest unprocessed delivery are within `maxBacklog` and `maxOldestUnprocessedAgeMs`. */
  async isBacklogHealthy(key = 'webhooks-backlog'): Promise<WebhooksHealthResult> {
    const session = this.indicators.check(key);
    let stats;
    try {
      stats = await this.stats.read();
    } catch (error) {
      return session.down({ message: `Unknown: the inbox store failed: ${describe(error)}` });
    }
    const { maxBacklog, maxOldestUnprocessedAgeMs } = this.config;
    const details = {
      backlog: stats.backlog,
      maxBacklog,
      oldestUnprocessedAgeMs: stats.oldestUnprocessedAgeMs,
      maxOldestUnprocessedAgeMs,
      dead: stats.dead,
    };
    const problems: string[] = [];
    const waited = stats.oldestUnprocessedAgeMs;
    if (stats.backlog > maxBacklog) problems.push(`${stats.backlog} deliveries wait to be processed, more than maxBacklog (${maxBacklog})`);
    if (waited > maxOldestUnprocessedAgeMs) {
      const limit = maxOldestUnprocessedAgeMs;
      problems.push(`the oldest unprocessed delivery has waited ${waited} ms, more than maxOldestUnprocessedAgeMs (${limit})`);
    }
    return problems.length > 0 ? session.down({ ...details, message: `${problems.join('; ')}.` }) : session.up(details);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
