import { isIP } from 'node:net';
import { resolve } from 'node:path';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { readSecret, readSecretList, type ReadSecretOptions, type WebhooksModuleOptions } from 'nestjs-payment-webhooks';

/** Where the webhook library's admin API is mounted when WEBHOOKS_ADMIN_TOKEN is set. */
export const DEMO_ADMIN_PATH = 'ops/webhooks';

/** Injection token of the demo's `DemoConfig`. */
export const DEMO_CONFIG = Symbol('demo:config');

/** Injection token of the demo's clock (`() => Date`): `DemoConfig.clock`, else the system clock. */
export const DEMO_CLOCK = Symbol('demo:clock');

/** MVola's API settings as read; the provider is mounted only when every one of them is set. */
export interface DemoMvolaApiConfig {
  baseUrl?: string;
  consumerKey?: string;
  consumerSecret?: string;
  partnerName?: string;
  partnerMsisdn?: string;
}

/**
 * How PENDING registrations are settled when no webhook came: asked of the provider's status API, or
 * expired. Durations in milliseconds.
 */
export interface DemoReconciliationConfig {
  /** Age from which a PENDING registration is checked (RECONCILE_AFTER). */
  afterMs: number;
  /** Time between rounds (RECONCILE_INTERVAL); undefined: no rounds run (`off`). */
  intervalMs: number | undefined;
  /** Age past which a registration the provider still calls pending, or cannot answer for, expires (RECONCILE_EXPIRE_AFTER). */
  expireAfterMs: number;
  /** Registrations checked per round, per replica (RECONCILE_BATCH). */
  batchSize: number;
}

/** Everything the demo reads from its environment, resolved once at start. */
export interface DemoConfig {
  port: number;
  /** Where providers reach this app from outside (MVola's callback URL); no trailing slash. */
  publicUrl: string;
  /** The TypeORM connection (PostgreSQL, or a SQLite file); the demo adds its entities and migrations. */
  database: TypeOrmModuleOptions;
  /** Express `trust proxy`: false, true, a hop count, or a list of addresses. */
  trustProxy: boolean | number | string;
  /** pino's level (LOG_LEVEL): trace, debug, info (default), warn, error, fatal or silent. */
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** With NODE_ENV=production there is no development fallback secret. */
  production: boolean;
  /** Signing secrets per provider, several during a rotation; empty: that provider is not mounted. */
  stripeSecrets: string[];
  paystackSecretKeys: string[];
  /** Addresses or CIDR ranges Paystack may call from (PAYSTACK_ALLOW_IPS); empty: any address. */
  paystackAllowIps: string[];
  feexpaySecrets: string[];
  payqiSecrets: string[];
  /** `whsec_…` secrets of the demo's Standard Webhooks endpoint (any sender that follows the spec). */
  standardWebhooksSecrets: string[];
  mvolaCallbackTokens: string[];
  /** Bearer token(s) of the admin API at /ops/webhooks (WEBHOOKS_ADMIN_TOKEN); empty: not mounted. */
  adminTokens: string[];
  mvolaApi: DemoMvolaApiConfig;
  /** The FeexPay URL already registered in its dashboard, served besides /webhooks/feexpay. */
  feexpayPath: string;
  /** FeexPay's status look-up, used by reconciliation; without a token, FeexPay registrations simply expire. */
  feexpayApi: { baseUrl: string; token?: string };
  /** Paystack's API (GET /transaction/verify/:reference with the first PAYSTACK_SECRET_KEY), used by reconciliation. */
  paystackApiBaseUrl: string;
  reconciliation: DemoReconciliationConfig;
  /** The clock of the demo's own records and of its reconciler; tests move it. Default: the system clock. */
  clock?: () => Date;
  /** Webhook processing: tests turn the background worker off and drive it with `runOnce()`. */
  webhooks: Pick<WebhooksModuleOptions, 'worker' | 'clock' | 'backoff' | 'pollIntervalMs' | 'batchSize' | 'handlerConcurrency'>;
}

type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_FEEXPAY_PATH = '/api/v1/payments/feexpay/webhook/';
/** Handler calls at once (WEBHOOKS_CONCURRENCY), each holding a PostgreSQL connection for its transaction. */
const DEFAULT_CONCURRENCY = 16;
/**
 * Deliveries in flight (WEBHOOKS_IN_FLIGHT): completed payments are settled in batches of up to 50,
 * so a burst needs many in flight to fill them, while handler calls stay at WEBHOOKS_CONCURRENCY.
 */
const DEFAULT_IN_FLIGHT = 128;
const DEFAULT_FEEXPAY_API_BASE_URL = 'https://api.feexpay.me';
const DEFAULT_PAYSTACK_API_BASE_URL = 'https://api.paystack.co';

/**
 * Reads the demo's configuration: plain settings from the environment, every secret through
 * `readSecret` (env, `NAME_FILE`, or `/run/secrets/name`). Throws with the variable to fix.
 */
export function loadDemoConfig(env: Env = process.env, secretOptions: ReadSecretOptions = {}): DemoConfig {
  const secret = (name: string) => readSecret(name, env, secretOptions);
  const secretList = (name: string) => readSecretList(name, env, secretOptions);
  const port = portOf(env.PORT);
  const concurrency = wholeNumberOf('WEBHOOKS_CONCURRENCY', env.WEBHOOKS_CONCURRENCY, DEFAULT_CONCURRENCY, 1, 200);
  const inFlight = wholeNumberOf('WEBHOOKS_IN_FLIGHT', env.WEBHOOKS_IN_FLIGHT, DEFAULT_IN_FLIGHT, 1, 1000);
  return {
    port,
    publicUrl: publicUrlOf(env.PUBLIC_URL, port),
    database: withPoolSize(databaseOf(secret('DATABASE_URL'), secret('DATABASE_PASSWORD'), env.SQLITE_PATH), env.DATABASE_POOL_SIZE, concurrency),
    trustProxy: trustProxyOf(env.TRUST_PROXY),
    logLevel: logLevelOf(env.LOG_LEVEL),
    production: env.NODE_ENV === 'production',
    stripeSecrets: secretList('STRIPE_WEBHOOK_SECRET'),
    paystackSecretKeys: secretList('PAYSTACK_SECRET_KEY'),
    paystackAllowIps: allowIpsOf('PAYSTACK_ALLOW_IPS', env.PAYSTACK_ALLOW_IPS),
    feexpaySecrets: secretList('FEEXPAY_WEBHOOK_SECRET'),
    payqiSecrets: secretList('PAYQI_WEBHOOK_SECRET'),
    standardWebhooksSecrets: secretList('STANDARD_WEBHOOKS_SECRET'),
    mvolaCallbackTokens: secretList('MVOLA_CALLBACK_TOKEN'),
    adminTokens: secretList('WEBHOOKS_ADMIN_TOKEN'),
    mvolaApi: {
      baseUrl: secret('MVOLA_API_BASE_URL'),
      consumerKey: secret('MVOLA_CONSUMER_KEY'),
      consumerSecret: secret('MVOLA_CONSUMER_SECRET'),
      partnerName: secret('MVOLA_PARTNER_NAME'),
      partnerMsisdn: secret('MVOLA_PARTNER_MSISDN'),
    },
    feexpayPath: feexpayPathOf(env.FEEXPAY_PATH),
    feexpayApi: { baseUrl: apiBaseUrlOf('FEEXPAY_API_BASE_URL', env.FEEXPAY_API_BASE_URL, DEFAULT_FEEXPAY_API_BASE_URL), token: secret('FEEXPAY_API_TOKEN') },
    paystackApiBaseUrl: apiBaseUrlOf('PAYSTACK_API_BASE_URL', env.PAYSTACK_API_BASE_URL, DEFAULT_PAYSTACK_API_BASE_URL),
    reconciliation: reconciliationOf(env),
    webhooks: { worker: true, batchSize: inFlight, handlerConcurrency: concurrency },
  };
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

function logLevelOf(value: string | undefined): DemoConfig['logLevel'] {
  if (value === undefined || value === '') return 'info';
  const level = LOG_LEVELS.find((known) => known === value.toLowerCase());
  if (!level) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${value}".`);
  return level;
}

function portOf(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new Error(`PORT must be a port number (0-65535), got "${value}".`);
  return port;
}

/** Where providers reach the app; without PUBLIC_URL, this machine on the port it listens on. */
function publicUrlOf(value: string | undefined, port: number): string {
  const url = value === undefined || value === '' ? `http://localhost:${port}` : value;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`PUBLIC_URL must be an absolute http(s) URL such as https://demo.example.com, got "${url}".`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`PUBLIC_URL must be an http(s) URL, got "${url}".`);
  }
  return url.replace(/\/+$/, '');
}

/**
 * PostgreSQL when DATABASE_URL is set, else a SQLite file. DATABASE_PASSWORD (or its _FILE) keeps the
 * password out of the URL, so the URL itself can sit in plain configuration.
 */
function databaseOf(url: string | undefined, password: string | undefined, sqlitePath: string | undefined): TypeOrmModuleOptions {
  if (url === undefined) {
    if (password !== undefined) throw new Error('DATABASE_PASSWORD is set but DATABASE_URL is not; set DATABASE_URL=postgres://user@host:5432/db.');
    return { type: 'better-sqlite3', database: resolve(sqlitePath || './data/demo.sqlite'), enableWAL: true };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The URL may hold a password: name the variable, not the value.
    throw new Error('DATABASE_URL is not a valid URL; use postgres://user[:password]@host:5432/database.');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`DATABASE_URL must be a PostgreSQL URL (postgres://…), not ${parsed.protocol}//…; unset it to use SQLite.`);
  }
  if (password === undefined) return { type: 'postgres', url };
  if (parsed.password !== '') throw new Error('DATABASE_URL already has a password and DATABASE_PASSWORD is set too; give the password once.');
  // Given apart from the URL: the pg driver would let the URL's empty password win over `password`.
  return {
    type: 'postgres',
    host: parsed.hostname,
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    username: decodeURIComponent(parsed.username),
    password,
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || undefined,
  };
}

/**
 * PostgreSQL connections (DATABASE_POOL_SIZE): every handler call holds one for its transaction, so
 * the default leaves 8 beyond WEBHOOKS_CONCURRENCY for acknowledgements and the API.
 */
function withPoolSize(database: TypeOrmModuleOptions, value: string | undefined, concurrency: number): TypeOrmModuleOptions {
  const poolSize = wholeNumberOf('DATABASE_POOL_SIZE', value, concurrency + 8, 2, 1000);
  if (database.type !== 'postgres') return database;
  if (poolSize <= concurrency) throw new Error(`DATABASE_POOL_SIZE (${poolSize}) must be larger than WEBHOOKS_CONCURRENCY (${concurrency}): acknowledgements need connections too.`);
  return { ...database, poolSize };
}

function trustProxyOf(value: string | undefined): boolean | number | string {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/** A comma-separated list of addresses and CIDR ranges, checked here so the error names the variable. */
function allowIpsOf(variable: string, value: string | undefined): string[] {
  const entries = (value ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const validBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= max);
    if (!family || !validBits || extra !== undefined) {
      throw new Error(`${variable}: "${entry}" is not an IP address or CIDR range; give a comma-separated list such as 52.31.139.75,52.49.173.169.`);
    }
  }
  return entries;
}

function feexpayPathOf(value: string | undefined): string {
  const path = value === undefined || value === '' ? DEFAULT_FEEXPAY_PATH : value;
  if (!path.startsWith('/')) throw new Error(`FEEXPAY_PATH must start with "/", got "${path}".`);
  return path;
}

function apiBaseUrlOf(variable: string, value: string | undefined, fallback: string): string {
  const url = value === undefined || value === '' ? fallback : value;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${variable} must be an absolute http(s) URL such as ${fallback}, got "${url}".`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`${variable} must be an http(s) URL, got "${url}".`);
  return url.replace(/\/+$/, '');
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `24h`, `2d`, `500ms`; a bare number is seconds. */
function durationOf(variable: string, value: string | undefined, fallbackMs: number): number {
  if (value === undefined || value.trim() === '') return fallbackMs;
  const match = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  const ms = match ? Number(match[1]) * DURATION_UNITS_MS[match[2] ?? 's'] : NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new Error(`${variable} must be a positive duration such as 90s, 30m or 24h (a bare number is seconds), got "${value}".`);
  }
  return ms;
}

/** Defaults: check after 30 minutes, every minute, 50 a round; expire what is still pending after 24 hours. */
function reconciliationOf(env: Env): DemoReconciliationConfig {
  const interval = env.RECONCILE_INTERVAL?.trim().toLowerCase();
  const off = interval === 'off' || interval === 'false' || interval === '0';
  const afterMs = durationOf('RECONCILE_AFTER', env.RECONCILE_AFTER, 30 * 60_000);
  const expireAfterMs = durationOf('RECONCILE_EXPIRE_AFTER', env.RECONCILE_EXPIRE_AFTER, 24 * 3_600_000);
  if (expireAfterMs < afterMs) {
    throw new Error(`RECONCILE_EXPIRE_AFTER (${env.RECONCILE_EXPIRE_AFTER ?? '24h'}) must not be shorter than RECONCILE_AFTER (${env.RECONCILE_AFTER ?? '30m'}).`);
  }
  const batch = wholeNumberOf('RECONCILE_BATCH', env.RECONCILE_BATCH, 50, 1, 1000);
  return {
    afterMs,
    intervalMs: off ? undefined : durationOf('RECONCILE_INTERVAL', env.RECONCILE_INTERVAL, 60_000),
    expireAfterMs,
    batchSize: batch,
  };
}

function wholeNumberOf(variable: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) throw new Error(`${variable} must be a whole number from ${min} to ${max}, got "${value}".`);
  return number;
}
