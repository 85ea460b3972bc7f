import { Registry } from 'prom-client';
import { WebhooksConfigError } from '../webhooks.options';
import { resolveWebhooksMetricsConfig } from './webhooks-metrics.options';

describe('resolveWebhooksMetricsConfig', () => {
  it('fills in the defaults and keeps a given registry', () => {
    const config = resolveWebhooksMetricsConfig();
    expect(config.registry).toBeUndefined();
    expect(config.statsTimeoutMs).toBe(2000);
    expect(config.acknowledgementBuckets[0]).toBe(0.001);
    const registry = new Registry();
    expect(resolveWebhooksMetricsConfig({ registry }).registry).toBe(registry);
  });

  it('names every option that cannot work', () => {
    let thrown: unknown;
    try {
      resolveWebhooksMetricsConfig({ registry: {} as Registry, handlerBuckets: [1, 0.5], statsTimeoutMs: 0 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WebhooksConfigError);
    expect((thrown as WebhooksConfigError).problems).toEqual([
      'WebhooksMetricsModule registry: must be a prom-client Registry (new Registry(), or leave it out for the global one)',
      'WebhooksMetricsModule handlerBuckets: must be positive numbers of seconds in ascending order, got [1,0.5]',
      'WebhooksMetricsModule statsTimeoutMs: must be an integer of at least 1, got 0',
    ]);
  });
});
