import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import { REFUSAL_REASONS } from '../errors/refusal-reason';
import { WebhookHandlerRegistry } from '../events/webhook-handler.registry';
import { InboxStatsReader } from '../health/inbox-stats-reader';
import { WebhookMonitor, type WebhookDeliveryOutcome, type WebhookLifecycleEvent } from '../monitoring/webhook-monitor';
import type { DeliveryStatus } from '../store/inbox-store.interface';
import { WebhookDeliveries, type WebhookStats } from '../store/webhook-deliveries.service';
import { WEBHOOKS_CONFIG } from '../webhooks.constants';
import { WebhooksConfigError, type WebhooksConfig } from '../webhooks.options';
import { PROM_CLIENT, WEBHOOKS_METRICS_CONFIG } from './webhooks-metrics.constants';
import type { WebhooksMetricsConfig } from './webhooks-metrics.options';

type PromClient = typeof import('prom-client');

/** Every metric's name; the README's table documents them. */
export const WEBHOOK_METRIC_NAMES = {
  received: 'webhooks_deliveries_received_total',
  refused: 'webhooks_deliveries_refused_total',
  acknowledgement: 'webhooks_acknowledgement_duration_seconds',
  processed: 'webhooks_deliveries_processed_total',
  retries: 'webhooks_retries_total',
  deadLetters: 'webhooks_dead_letters_total',
  attempt: 'webhooks_attempt_duration_seconds',
  leasesLost: 'webhooks_leases_lost_total',
  handlerRuns: 'webhooks_handler_runs_total',
  handlerDuration: 'webhooks_handler_duration_seconds',
  backlog: 'webhooks_backlog',
  oldestAge: 'webhooks_oldest_unprocessed_age_seconds',
  inbox: 'webhooks_inbox_deliveries',
  inboxReachable: 'webhooks_inbox_reachable',
} as const;

const STATUSES: DeliveryStatus[] = ['pending', 'processing', 'processed', 'failed', 'dead'];
/** A refusal before the endpoint is known (rare: a body error on no endpoint). */
const UNKNOWN_ENDPOINT = 'unknown';

type Labels<K extends string> = Partial<Record<K, string>>;

interface Metrics {
  received: Counter<'endpoint' | 'outcome'>;
  refused: Counter<'endpoint' | 'reason'>;
  acknowledgement: Histogram<'endpoint' | 'outcome'>;
  processed: Counter<'endpoint'>;
  retries: Counter<'endpoint'>;
  deadLetters: Counter<'endpoint'>;
  attempt: Histogram<'endpoint' | 'outcome'>;
  leasesLost: Counter;
  handlerRuns: Counter<'handler' | 'outcome'>;
  handlerDuration: Histogram<'handler' | 'outcome'>;
  backlog: Gauge;
  oldestAge: Gauge;
  inbox: Gauge<'status'>;
  inboxReachable: Gauge;
}

/**
 * Prometheus metrics fed by `WebhookMonitor.events$` (counters, acknowledgement latency), by timing the
 * handlers, and by `WebhookDeliveries.stats()` on each scrape (gauges). Counters are this instance's;
 * the gauges describe the shared inbox, so every instance reports the same values (aggregate with max).
 */
@Injectable()
export class WebhookMetrics implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private readonly prom: PromClient;
  private registry!: Registry;
  private metrics?: Metrics;
  private webhooks!: WebhooksConfig;
  private handlers!: WebhookHandlerRegistry;
  private monitor!: WebhookMonitor;
  private stats!: InboxStatsReader;
  private subscription?: Subscription;
  private statsFailing = false;

  constructor(
    @Inject(PROM_CLIENT) prom: unknown,
    @Inject(WEBHOOKS_METRICS_CONFIG) private readonly config: WebhooksMetricsConfig,
    private readonly moduleRef: ModuleRef,
  ) {
    this.prom = prom as PromClient;
  }

  onModuleInit(): void {
    // WebhooksModule need not be global: its services are looked up in the whole app, as they are.
    let deliveries: WebhookDeliveries;
    try {
      this.webhooks = this.moduleRef.get<WebhooksConfig>(WEBHOOKS_CONFIG, { strict: false });
      this.monitor = this.moduleRef.get(WebhookMonitor, { strict: false });
      this.handlers = this.moduleRef.get(WebhookHandlerRegistry, { strict: false });
      deliveries = this.moduleRef.get(WebhookDeliveries, { strict: false });
    } catch {
      throw new WebhooksConfigError(['WebhooksMetricsModule: WebhooksModule is not in this app; import WebhooksModule.forRoot() too']);
    }
    this.registry = (this.config.registry ?? this.prom.register) as Registry;
    this.stats = new InboxStatsReader(deliveries, this.config.statsTimeoutMs);
    this.metrics = this.register();
    for (const { name: endpoint } of this.webhooks.endpoints) this.zeroEndpoint(this.metrics, endpoint);
    this.subscription = this.monitor.events$.subscribe((event) => this.observe(event));
  }

  /** Handlers are all registered by now (discovery runs in onModuleInit), and none has run yet. */
  onApplicationBootstrap(): void {
    const metrics = this.metrics;
    if (!metrics) return;
    // Every handler's series exist from the start, at 0.
    for (const handler of this.handlers.all()) {
      for (const outcome of ['succeeded', 'failed']) {
        metrics.handlerRuns.inc({ handler: handler.key, outcome }, 0);
        metrics.handlerDuration.zero({ handler: handler.key, outcome });
      }
    }
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
    // Gone with the app: the next app in this process (tests) registers them again.
    if (this.metrics) for (const name of Object.values(WEBHOOK_METRIC_NAMES)) this.registry.removeSingleMetric(name);
    this.metrics = undefined;
  }

  private register(): Metrics {
    const taken = Object.values(WEBHOOK_METRIC_NAMES).filter((name) => this.registry.getSingleMetric(name) !== undefined);
    if (taken.length > 0) {
      throw new WebhooksConfigError([
        `WebhooksMetricsModule registry: it already has ${taken.join(', ')}; import WebhooksMetricsModule once per app, ` +
          `and give each app of one process its own registry (the registry option)`,
      ]);
    }
    const { Counter, Gauge, Histogram } = this.prom;
    const registers = [this.registry];
    const n = WEBHOOK_METRIC_NAMES;
    const byEndpoint = (name: string, help: string) => new Counter({ name, help, labelNames: ['endpoint'], registers });
    // Gauges read the inbox on each scrape; one query serves them all (prom-client collects them together).
    // While it does not answer they are unknown: NaN, or no series for the labelled one; never a stale value.
    const fromStats = (set: (gauge: Gauge<string>, stats: WebhookStats | undefined) => void) =>
      async function collect(this: Gauge<string>) {
        this.reset();
        set(this, await readStats());
      };
    const readStats = () => this.readStats();
    return {
      received: new Counter({
        name: n.received,
        help: 'Deliveries received, by endpoint and outcome: stored (new), duplicate (already stored), refused (4xx) or unstored (503: the inbox could not store it; the provider retries).',
        labelNames: ['endpoint', 'outcome'],
        registers,
      }),
      refused: new Counter({
        name: n.refused,
        help: 'Deliveries refused, by endpoint and reason.',
        labelNames: ['endpoint', 'reason'],
        registers,
      }),
      acknowledgement: new Histogram({
        name: n.acknowledgement,
        help: 'From the signature check to the stored row (the 2xx), by endpoint and outcome (stored or duplicate).',
        labelNames: ['endpoint', 'outcome'],
        buckets: this.config.acknowledgementBuckets,
        registers,
      }),
      processed: byEndpoint(n.processed, 'Deliveries every handler succeeded on, by endpoint.'),
      retries: byEndpoint(n.retries, 'Retries scheduled after a failed attempt, by endpoint.'),
      deadLetters: byEndpoint(n.deadLetters, 'Deliveries dead-lettered (no more retries), by endpoint.'),
      attempt: new Histogram({
        name: n.attempt,
        help: 'One processing attempt (all its handlers), by endpoint and outcome: processed, retry-scheduled or dead-lettered.',
        labelNames: ['endpoint', 'outcome'],
        buckets: this.config.handlerBuckets,
        registers,
      }),
      leasesLost: new Counter({ name: n.leasesLost, help: 'Writes refused: another instance had taken the delivery over.', registers }),
      handlerRuns: new Counter({
        name: n.handlerRuns,
        help: 'Handler runs, by handler name and outcome (succeeded or failed).',
        labelNames: ['handler', 'outcome'],
        registers,
      }),
      handlerDuration: new Histogram({
        name: n.handlerDuration,
        help: 'How long one handler run took, by handler name and outcome.',
        labelNames: ['handler', 'outcome'],
        buckets: this.config.handlerBuckets,
        registers,
      }),
      backlog: new Gauge({
        name: n.backlog,
        help: 'Deliveries not processed yet in the inbox (pending, processing, failed waiting for a retry); read at scrape.',
        registers,
        collect: fromStats((gauge, stats) => gauge.set(stats ? stats.backlog : NaN)),
      }),
      oldestAge: new Gauge({
        name: n.oldestAge,
        help: 'How long the oldest unprocessed delivery has waited, in seconds (0 when none); read at scrape.',
        registers,
        collect: fromStats((gauge, stats) => gauge.set(stats ? stats.oldestUnprocessedAgeMs / 1000 : NaN)),
      }),
      inbox: new Gauge({
        name: n.inbox,
        help: 'Deliveries in the inbox, by status; read at scrape.',
        labelNames: ['status'],
        registers,
        collect: fromStats((gauge, stats) => {
          if (stats) for (const status of STATUSES) gauge.set({ status }, stats.counts[status]);
        }),
      }),
      inboxReachable: new Gauge({
        name: n.inboxReachable,
        help: `1 when the inbox answered this scrape's stats query within statsTimeoutMs, else 0 (the inbox gauges are then unknown).`,
        registers,
        async collect() {
          this.set((await readStats()) ? 1 : 0);
        },
      }),
    };
  }

  /** Series that exist from the start at 0, so rate() and increase() see the first delivery. */
  private zeroEndpoint(metrics: Metrics, endpoint: string): void {
    for (const outcome of ['stored', 'duplicate', 'refused', 'unstored']) metrics.received.inc({ endpoint, outcome }, 0);
    for (const reason of REFUSAL_REASONS) metrics.refused.inc({ endpoint, reason }, 0);
    for (const outcome of ['stored', 'duplicate']) metrics.acknowledgement.zero({ endpoint, outcome });
    metrics.processed.inc({ endpoint }, 0);
    metrics.retries.inc({ endpoint }, 0);
    metrics.deadLetters.inc({ endpoint }, 0);
    for (const outcome of ['processed', 'retry-scheduled', 'dead-lettered']) metrics.attempt.zero({ endpoint, outcome });
  }

  private async readStats(): Promise<WebhookStats | undefined> {
    try {
      const stats = await this.stats.read();
      if (this.statsFailing) this.logger.log('Metrics: the inbox answers again; its gauges are back.');
      this.statsFailing = false;
      return stats;
    } catch (error) {
      // Once per outage, not once per scrape.
      const reason = (error as Error)?.message ?? error;
      if (!this.statsFailing) this.logger.warn(`Metrics: the inbox gauges are unknown while it does not answer: ${reason}`);
      this.statsFailing = true;
      return undefined;
    }
  }

  private observe(event: WebhookLifecycleEvent): void {
    const metrics = this.metrics;
    if (!metrics) return;
    // Called synchronously by the ingress and the dispatcher: a metrics bug must never fail a delivery.
    try {
      switch (event.kind) {
        case 'refused':
          metrics.received.inc({ endpoint: event.endpoint ?? UNKNOWN_ENDPOINT, outcome: 'refused' });
          metrics.refused.inc({ endpoint: event.endpoint ?? UNKNOWN_ENDPOINT, reason: event.reason });
          break;
        case 'store-failed':
          metrics.received.inc({ endpoint: event.endpoint, outcome: 'unstored' });
          break;
        case 'stored': {
          const labels: Labels<'endpoint' | 'outcome'> = { endpoint: event.endpoint, outcome: event.duplicate ? 'duplicate' : 'stored' };
          metrics.received.inc(labels);
          metrics.acknowledgement.observe(labels, durationSeconds(event, this.webhooks.clock()));
          break;
        }
        case 'processed':
        case 'retry-scheduled':
        case 'dead-lettered': {
          const counters = { processed: metrics.processed, 'retry-scheduled': metrics.retries, 'dead-lettered': metrics.deadLetters };
          counters[event.kind].inc({ endpoint: event.endpoint });
          metrics.attempt.observe({ endpoint: event.endpoint, outcome: event.kind }, durationSeconds(event, this.webhooks.clock()));
          break;
        }
        case 'lease-lost':
          metrics.leasesLost.inc();
          break;
        case 'handler-finished':
          metrics.handlerRuns.inc({ handler: event.handler, outcome: event.outcome });
          metrics.handlerDuration.observe({ handler: event.handler, outcome: event.outcome }, event.durationMs / 1000);
          break;
      }
    } catch (error) {
      this.logger.error(`Metrics: could not count a ${event.kind} event: ${(error as Error)?.message ?? error}`);
    }
  }
}

/** The event's `durationMs` in seconds; without one (a monitor fed by hand), from its `at` to now, when it is published. */
function durationSeconds(event: WebhookDeliveryOutcome, now: Date): number {
  return Math.max(0, event.durationMs ?? now.getTime() - event.at.getTime()) / 1000;
}
