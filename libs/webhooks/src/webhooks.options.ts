import { randomUUID } from 'node:crypto';
import { secretProblems } from './providers/provider-options';
import type { WebhookProvider } from './providers/webhook-provider.interface';
import { secretValue, type WebhookSecret } from './secrets/webhook-secret';
import type { WebhookInboxStore } from './store/inbox-store.interface';

export interface WebhooksModuleOptions {
  /**
   * The endpoints to serve, one entry each: built-in strategies (`stripe({...})`) or your own
   * `WebhookProvider`s. Two Stripe accounts are two entries with different names.
   */
  endpoints: WebhookProvider[];
  /** URL prefix of the endpoints: `/<prefix>/<name>`, under the app's global prefix. Default 'webhooks'. */
  prefix?: string;
  /**
   * Decorators added to every endpoint route, e.g. `[Public()]` to exempt them from a global auth
   * guard or `[SkipThrottle()]`. The routes also carry the `WEBHOOK_ENDPOINT_METADATA` key.
   */
  decorators?: MethodDecorator[];
  /**
   * Largest accepted body, in bytes: past it, 413 as soon as the declared or received size says so,
   * and the connection is closed. Default 1 MiB. On Express the library reads its endpoints' bodies
   * itself; on Fastify the adapter's own limit is checked first: keep `new FastifyAdapter({ bodyLimit })`
   * at least this high (1 MiB by default).
   */
  bodyLimit?: number;
  /**
   * How long storing one delivery may take before the sender gets 503 (and retries): a database that
   * hangs must not hold providers' connections. A store that finishes later is harmless: the retry
   * is answered as a duplicate, with the same id. Default 5 s.
   */
  storeTimeoutMs?: number;
  /**
   * Deliveries that may wait for the database at once. Past it, a delivery gets 503 at once instead of
   * queueing behind a database that cannot keep up: memory stays bounded and the provider retries. Default 1000.
   */
  storeQueueLimit?: number;
  /** Attempts before a delivery is `dead` (still stored, replayable). Default 8. */
  maxAttempts?: number;
  /** Retry delay: `initialMs × 2^(attempt-1)`, capped at `maxMs`, with full jitter. Default 1 s … 1 h. */
  backoff?: { initialMs?: number; maxMs?: number };
  /**
   * How long a claimed delivery stays with one instance before another may take it over; renewed every
   * `leaseMs / 3` while its handlers run, so it bounds how long a crashed instance's work waits, not how
   * long a handler may take. Default 15 s.
   */
  leaseMs?: number;
  /** How long one handler may run; past it `ctx.signal` aborts and the run counts as failed (retried). Default: no limit. */
  handlerTimeoutMs?: number;
  /** How often each instance looks for due deliveries. Default 1 s. */
  pollIntervalMs?: number;
  /**
   * Deliveries claimed and processed at once per instance. With one-event handlers keep it below the
   * connection pool size, so acknowledgements always find a connection; with `@OnPaymentBatch`
   * handlers raise it (100 or more) and bound connections with `handlerConcurrency`. Default 5.
   */
  batchSize?: number;
  /**
   * Handler calls running at once per instance, each holding at most one connection for its
   * `ctx.transaction` (a batch handler's call counts once); deliveries beyond it wait their turn.
   * Keep it below the connection pool size. Default: `batchSize`.
   */
  handlerConcurrency?: number;
  /** Process deliveries in the background. Turn off to drive processing with `runOnce()` (tests, cron). Default true. */
  worker?: boolean;
  /** Apply the library's migrations at start-up. Default: true, except with NODE_ENV=production. */
  migrationsRun?: boolean;
  /** On shutdown, how long running handlers may finish before their leases are released. Default 10 s. */
  shutdownGraceMs?: number;
  /** Identifies this instance in leases and logs. Default: a random id. */
  instanceId?: string;
  /** The clock, injectable so tolerance and backoff are testable. Default `() => new Date()`. */
  clock?: () => Date;
  /**
   * Your own inbox (any `WebhookInboxStore` that passes `inboxStoreContract`) instead of the TypeORM one
   * on the app's data source. Default: the TypeORM store, migrated per `migrationsRun`.
   */
  store?: WebhookInboxStore;
  /** Bearer token(s) of the admin API (mounted with the `adminPath` extra); several during a rotation. */
  adminToken?: WebhookSecret | WebhookSecret[];
}

/** Options with every default applied once; the only shape the rest of the library reads. */
export interface WebhooksConfig {
  endpoints: readonly WebhookProvider[];
  prefix: string;
  decorators: readonly MethodDecorator[];
  bodyLimit: number;
  storeTimeoutMs: number;
  storeQueueLimit: number;
  maxAttempts: number;
  backoff: { initialMs: number; maxMs: number };
  leaseMs: number;
  handlerTimeoutMs?: number;
  pollIntervalMs: number;
  batchSize: number;
  handlerConcurrency: number;
  worker: boolean;
  migrationsRun: boolean;
  shutdownGraceMs: number;
  instanceId: string;
  clock: () => Date;
  adminTokens: WebhookSecret[];
  store?: WebhookInboxStore;
}

/** Thrown at start-up when the options cannot work; lists every problem with its option path. */
export class WebhooksConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`WebhooksModule options are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'WebhooksConfigError';
  }
}

const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** Anyone who can guess it can replay payments: no short admin tokens. */
const MIN_ADMIN_TOKEN_LENGTH = 16;

/** Applies defaults and validates everything that can be checked before the app starts. */
export function resolveWebhooksConfig(options: WebhooksModuleOptions, adminPath?: string): WebhooksConfig {
  const problems: string[] = [];
  const endpoints = Array.isArray(options?.endpoints) ? options.endpoints : [];
  if (endpoints.length === 0) {
    const renamed = options && 'providers' in options ? ' (the option `providers` is now called `endpoints`)' : '';
    problems.push(`endpoints: configure at least one endpoint${renamed}, e.g. endpoints: [stripe({ secrets: [process.env.STRIPE_WEBHOOK_SECRET!] })]`);
  }
  const prefix = trimSlashes(options.prefix ?? 'webhooks');
  const names = new Map<string, number>();
  const paths = new Map<string, string>();

  endpoints.forEach((provider, index) => {
    const where = `endpoints[${index}]`;
    if (!provider || typeof provider.verify !== 'function' || typeof provider.parse !== 'function') {
      problems.push(`${where}: not a WebhookProvider (it needs name, verify() and parse())`);
      return;
    }
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(provider.name ?? '')) {
      problems.push(`${where}.name: "${provider.name}" must be letters, digits, '.', '_' or '-'`);
    } else if (names.has(provider.name)) {
      problems.push(`${where}.name: "${provider.name}" is already used by endpoints[${names.get(provider.name)}]; give each endpoint its own name`);
    } else {
      names.set(provider.name, index);
    }
    for (const path of endpointPathsOf(prefix, provider)) {
      const other = paths.get(path);
      if (other) problems.push(`${where}: path ${path} is already served by ${other}`);
      else paths.set(path, where);
    }
    for (const method of provider.methods ?? []) {
      if (!HTTP_METHODS.has(method.toUpperCase())) problems.push(`${where}.methods: "${method}" is not an HTTP method`);
    }
    for (const problem of provider.validate?.() ?? []) problems.push(`${where}.${problem}`);
  });

  const adminTokens = options.adminToken === undefined ? [] : [options.adminToken].flat();
  if (adminPath || adminTokens.length) {
    for (const problem of secretProblems(adminTokens, 'adminToken')) {
      problems.push(adminPath && adminTokens.length === 0 ? `adminToken: the admin API at /${trimSlashes(adminPath)} needs a token` : problem);
    }
    adminTokens.forEach((entry, index) => {
      const value = secretValue(entry);
      if (typeof value === 'string' && value.length > 0 && value.length < MIN_ADMIN_TOKEN_LENGTH) {
        problems.push(`adminToken[${index}]: at least ${MIN_ADMIN_TOKEN_LENGTH} characters, e.g. the output of \`openssl rand -hex 32\``);
      }
    });
  }
  const positive = (value: number | undefined, fallback: number, option: string) => {
    const resolved = value ?? fallback;
    if (!Number.isFinite(resolved) || resolved <= 0) problems.push(`${option}: must be a positive number`);
    return resolved;
  };
  const config: WebhooksConfig = {
    endpoints,
    prefix,
    decorators: options.decorators ?? [],
    bodyLimit: positive(options.bodyLimit, 1024 * 1024, 'bodyLimit'),
    storeTimeoutMs: positive(options.storeTimeoutMs, 5000, 'storeTimeoutMs'),
    storeQueueLimit: positive(options.storeQueueLimit, 1000, 'storeQueueLimit'),
    maxAttempts: positive(options.maxAttempts, 8, 'maxAttempts'),
    backoff: {
      initialMs: positive(options.backoff?.initialMs, 1000, 'backoff.initialMs'),
      maxMs: positive(options.backoff?.maxMs, 60 * 60 * 1000, 'backoff.maxMs'),
    },
    leaseMs: positive(options.leaseMs, 15_000, 'leaseMs'),
    handlerTimeoutMs: options.handlerTimeoutMs === undefined ? undefined : positive(options.handlerTimeoutMs, 0, 'handlerTimeoutMs'),
    pollIntervalMs: positive(options.pollIntervalMs, 1000, 'pollIntervalMs'),
    batchSize: positive(options.batchSize, 5, 'batchSize'),
    handlerConcurrency: positive(options.handlerConcurrency, options.batchSize ?? 5, 'handlerConcurrency'),
    worker: options.worker ?? true,
    migrationsRun: options.migrationsRun ?? process.env.NODE_ENV !== 'production',
    shutdownGraceMs: positive(options.shutdownGraceMs, 10_000, 'shutdownGraceMs'),
    instanceId: options.instanceId ?? randomUUID(),
    clock: options.clock ?? (() => new Date()),
    adminTokens,
    store: options.store,
  };
  if (problems.length > 0) throw new WebhooksConfigError(problems);
  return config;
}

/** Every path an endpoint answers on: `/<prefix>/<name>` and its own extra paths. */
export function endpointPathsOf(prefix: string, provider: WebhookProvider): string[] {
  const own = (provider.paths ?? []).map((path) => `/${trimSlashes(path)}${path.endsWith('/') && path !== '/' ? '/' : ''}`);
  return [`/${prefix ? `${prefix}/` : ''}${provider.name}`, ...own];
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}
