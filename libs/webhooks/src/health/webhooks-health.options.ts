import { WebhooksConfigError } from '../webhooks.options';

export interface WebhooksHealthModuleOptions {
  /** `isBacklogHealthy()` is down when more deliveries than this wait (pending, processing, failed). Default 1000. */
  maxBacklog?: number;
  /**
   * `isBacklogHealthy()` is down when the oldest unprocessed delivery (pending, processing, or failed and
   * waiting for its retry) has waited longer than this. Default 10 minutes.
   */
  maxOldestUnprocessedAgeMs?: number;
  /**
   * `isWorkerAlive()` is down when deliveries are in flight, the oldest for longer than this, and none
   * finished meanwhile (hung handlers: a restart releases them to another instance). Default 5 minutes.
   */
  workerStallMs?: number;
  /** How long the inbox may take to answer `isInboxReachable()` and `isBacklogHealthy()`. Default 2000 ms. */
  timeoutMs?: number;
}

/** The options with their defaults, validated. */
export type WebhooksHealthConfig = Required<WebhooksHealthModuleOptions>;

const DEFAULTS: WebhooksHealthConfig = {
  maxBacklog: 1000,
  maxOldestUnprocessedAgeMs: 10 * 60_000,
  workerStallMs: 5 * 60_000,
  timeoutMs: 2000,
};

/** Applies the defaults (here only) and stops the start on a value that cannot work, naming the option. */
export function resolveWebhooksHealthConfig(options: WebhooksHealthModuleOptions = {}): WebhooksHealthConfig {
  const config: WebhooksHealthConfig = { ...DEFAULTS };
  const problems: string[] = [];
  for (const key of Object.keys(DEFAULTS) as Array<keyof WebhooksHealthConfig>) {
    const value = options[key];
    if (value === undefined) continue;
    const least = key === 'timeoutMs' ? 1 : 0;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < least) {
      problems.push(`WebhooksHealthModule ${key}: must be an integer of at least ${least}, got ${JSON.stringify(value)}`);
    } else {
      config[key] = value;
    }
  }
  if (problems.length > 0) throw new WebhooksConfigError(problems);
  return config;
}
