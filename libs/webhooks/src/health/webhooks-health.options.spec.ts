import { WebhooksConfigError } from '../webhooks.options';
import { resolveWebhooksHealthConfig } from './webhooks-health.options';

describe('resolveWebhooksHealthConfig', () => {
  it('fills in the defaults', () => {
    const defaults = { maxBacklog: 1000, maxOldestUnprocessedAgeMs: 600_000, workerStallMs: 300_000, timeoutMs: 2000 };
    expect(resolveWebhooksHealthConfig()).toEqual(defaults);
    expect(resolveWebhooksHealthConfig({ maxBacklog: 0 }).maxBacklog).toBe(0);
  });

  it('names every option that cannot work', () => {
    let thrown: unknown;
    try {
      resolveWebhooksHealthConfig({ maxBacklog: -1, timeoutMs: 0, workerStallMs: 1.5 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WebhooksConfigError);
    expect((thrown as WebhooksConfigError).problems).toEqual([
      'WebhooksHealthModule maxBacklog: must be an integer of at least 0, got -1',
      'WebhooksHealthModule workerStallMs: must be an integer of at least 0, got 1.5',
      'WebhooksHealthModule timeoutMs: must be an integer of at least 1, got 0',
    ]);
  });
});
