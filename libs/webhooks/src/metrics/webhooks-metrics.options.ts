import { WebhooksConfigError } from '../webhooks.options';

/** What the metrics need of a prom-client `Registry` (any prom-client 15 registry fits). */
export interface PrometheusRegistry {
  getSingleMetric(name: string): unknown;
  removeSingleMetric(name: string): void;
}

export interface WebhooksMetricsModuleOptions {
  /**
   * The prom-client registry the metrics join. Default: prom-client's global `register`, the one that
   * @willsoto/nestjs-prometheus serves at /metrics.
   */
  registry?: PrometheusRegistry;
  /** Buckets (seconds) of `webhooks_acknowledgement_duration_seconds`. */
  acknowledgementBuckets?: number[];
  /** Buckets (seconds) of `webhooks_handler_duration_seconds` and `webhooks_attempt_duration_seconds`. */
  handlerBuckets?: number[];
  /** How long a scrape waits for the inbox's stats (the gauges); past it they are left out of that scrape. Default 2000 ms. */
  statsTimeoutMs?: number;
}

/** The options with their defaults, validated; `registry` stays unset for prom-client's global one. */
export type WebhooksMetricsConfig = Required<Omit<WebhooksMetricsModuleOptions, 'registry'>> & { registry?: PrometheusRegistry };

const DEFAULTS: WebhooksMetricsConfig = {
  // Verification plus one durable INSERT: milliseconds, up to storeTimeoutMs (5 s by default).
  acknowledgementBuckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  handlerBuckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  statsTimeoutMs: 2000,
};

/** Applies the defaults (here only) and stops the start on a value that cannot work, naming the option. */
export function resolveWebhooksMetricsConfig(options: WebhooksMetricsModuleOptions = {}): WebhooksMetricsConfig {
  const problems: string[] = [];
  const registry = options.registry;
  if (registry !== undefined && (typeof registry?.getSingleMetric !== 'function' || typeof registry.removeSingleMetric !== 'function')) {
    problems.push('WebhooksMetricsModule registry: must be a prom-client Registry (new Registry(), or leave it out for the global one)');
  }
  const buckets = (key: 'acknowledgementBuckets' | 'handlerBuckets'): number[] => {
    const value = options[key];
    if (value === undefined) return DEFAULTS[key];
    const ascending = (b: number, i: number) => Number.isFinite(b) && b > 0 && (i === 0 || b > value[i - 1]);
    if (!Array.isArray(value) || value.length === 0 || !value.every(ascending)) {
      problems.push(`WebhooksMetricsModule ${key}: must be positive numbers of seconds in ascending order, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const config: WebhooksMetricsConfig = {
    registry,
    acknowledgementBuckets: buckets('acknowledgementBuckets'),
    handlerBuckets: buckets('handlerBuckets'),
    statsTimeoutMs: options.statsTimeoutMs ?? DEFAULTS.statsTimeoutMs,
  };
  if (!Number.isSafeInteger(config.statsTimeoutMs) || config.statsTimeoutMs < 1) {
    problems.push(`WebhooksMetricsModule statsTimeoutMs: must be an integer of at least 1, got ${JSON.stringify(options.statsTimeoutMs)}`);
  }
  if (problems.length > 0) throw new WebhooksConfigError(problems);
  return config;
}
