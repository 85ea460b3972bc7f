import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDemoConfig } from './demo.config';

describe('loadDemoConfig', () => {
  let dir: string;
  let secretsDir: string;
  const load = (env: Record<string, string>) => loadDemoConfig(env, { secretsDir });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'demo-config-'));
    secretsDir = join(dir, 'run-secrets');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults PUBLIC_URL to the port the demo listens on', () => {
    expect(load({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
  });

  it('has working defaults for a fresh machine', () => {
    expect(load({})).toEqual({
      port: 3000,
      publicUrl: 'http://localhost:3000',
      database: { type: 'better-sqlite3', database: resolve('./data/demo.sqlite'), enableWAL: true },
      trustProxy: false,
      logLevel: 'info',
      production: false,
      stripeSecrets: [],
      paystackSecretKeys: [],
      paystackAllowIps: [],
      feexpaySecrets: [],
      payqiSecrets: [],
      standardWebhooksSecrets: [],
      mvolaCallbackTokens: [],
      adminTokens: [],
      mvolaApi: { baseUrl: undefined, consumerKey: undefined, consumerSecret: undefined, partnerName: undefined, partnerMsisdn: undefined },
      feexpayPath: '/api/v1/payments/feexpay/webhook/',
      feexpayApi: { baseUrl: 'https://api.feexpay.me', token: undefined },
      paystackApiBaseUrl: 'https://api.paystack.co',
      reconciliation: { afterMs: 30 * 60_000, intervalMs: 60_000, expireAfterMs: 24 * 3_600_000, batchSize: 50 },
      webhooks: { worker: true, batchSize: 128, handlerConcurrency: 16 },
    });
  });

  it('reads plain settings', () => {
    const config = load({ PORT: '8080', PUBLIC_URL: 'https://demo.example.com/', TRUST_PROXY: '1', SQLITE_PATH: '/tmp/x/demo.db', FEEXPAY_PATH: '/hooks/feexpay', NODE_ENV: 'production' });
    expect(config).toMatchObject({
      port: 8080,
      publicUrl: 'https://demo.example.com',
      trustProxy: 1,
      database: { type: 'better-sqlite3', database: '/tmp/x/demo.db' },
      feexpayPath: '/hooks/feexpay',
      production: true,
    });
    expect(load({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(load({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(load({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(load({ PAYSTACK_ALLOW_IPS: '52.31.139.75, 52.49.173.0/24,,2001:db8::/32' }).paystackAllowIps).toEqual(['52.31.139.75', '52.49.173.0/24', '2001:db8::/32']);
  });

  it('reads every secret from env, *_FILE or /run/secrets; lists are comma-separated', () => {
    writeFileSync(join(dir, 'paystack'), 'sk_test_file\n');
    const config = loadDemoConfig(
      { STRIPE_WEBHOOK_SECRET: 'whsec_new, whsec_old', PAYSTACK_SECRET_KEY_FILE: join(dir, 'paystack'), MVOLA_CONSUMER_KEY: 'key' },
      { secretsDir: dir },
    );
    expect(config.stripeSecrets).toEqual(['whsec_new', 'whsec_old']);
    expect(config.paystackSecretKeys).toEqual(['sk_test_file']);
    expect(config.mvolaApi.consumerKey).toBe('key');

    writeFileSync(join(dir, 'payqi_webhook_secret'), 'payqi-from-swarm\n');
    expect(loadDemoConfig({}, { secretsDir: dir }).payqiSecrets).toEqual(['payqi-from-swarm']);
  });

  it('uses PostgreSQL when DATABASE_URL is set, with the password kept apart when DATABASE_PASSWORD is given', () => {
    expect(load({ DATABASE_URL: 'postgres://demo:pw@db:5432/demo' }).database).toEqual({ type: 'postgres', url: 'postgres://demo:pw@db:5432/demo', poolSize: 24 });
    writeFileSync(join(dir, 'pg-password'), 'p@ss:w/rd%\n');
    expect(load({ DATABASE_URL: 'postgres://demo@db:5433/demo', DATABASE_PASSWORD_FILE: join(dir, 'pg-password') }).database).toEqual({
      type: 'postgres',
      host: 'db',
      port: 5433,
      username: 'demo',
      password: 'p@ss:w/rd%',
      database: 'demo',
      poolSize: 24,
    });
  });

  it('sizes the worker and the PostgreSQL pool from WEBHOOKS_CONCURRENCY, WEBHOOKS_IN_FLIGHT and DATABASE_POOL_SIZE', () => {
    const config = load({ DATABASE_URL: 'postgres://demo@db/demo', WEBHOOKS_CONCURRENCY: '4' });
    expect([config.webhooks, config.database]).toEqual([
      { worker: true, batchSize: 128, handlerConcurrency: 4 },
      { type: 'postgres', url: 'postgres://demo@db/demo', poolSize: 12 },
    ]);
    expect(load({ WEBHOOKS_IN_FLIGHT: '300' }).webhooks).toMatchObject({ batchSize: 300, handlerConcurrency: 16 });
    expect(() => load({ WEBHOOKS_IN_FLIGHT: '0' })).toThrow('WEBHOOKS_IN_FLIGHT must be a whole number from 1 to 1000, got "0".');
    expect(load({ DATABASE_URL: 'postgres://demo@db/demo', DATABASE_POOL_SIZE: '40' }).database).toMatchObject({ poolSize: 40 });
    expect(() => load({ DATABASE_URL: 'postgres://demo@db/demo', WEBHOOKS_CONCURRENCY: '10', DATABASE_POOL_SIZE: '10' })).toThrow(
      'DATABASE_POOL_SIZE (10) must be larger than WEBHOOKS_CONCURRENCY (10)',
    );
    expect(() => load({ WEBHOOKS_CONCURRENCY: '0' })).toThrow('WEBHOOKS_CONCURRENCY must be a whole number from 1 to 200, got "0".');
  });

  it('reads reconciliation settings: durations with a unit (a bare number is seconds), off, API base URLs', () => {
    expect(load({ RECONCILE_AFTER: '10m', RECONCILE_INTERVAL: '500ms', RECONCILE_EXPIRE_AFTER: '2d', RECONCILE_BATCH: '5' }).reconciliation).toEqual({
      afterMs: 600_000,
      intervalMs: 500,
      expireAfterMs: 172_800_000,
      batchSize: 5,
    });
    expect(load({ RECONCILE_AFTER: '90' }).reconciliation.afterMs).toBe(90_000);
    expect(load({ RECONCILE_INTERVAL: 'off' }).reconciliation.intervalMs).toBeUndefined();
    expect(load({ RECONCILE_INTERVAL: '0' }).reconciliation.intervalMs).toBeUndefined();
    const apis = load({ PAYSTACK_API_BASE_URL: 'http://127.0.0.1:4011/', FEEXPAY_API_BASE_URL: 'http://127.0.0.1:4012', FEEXPAY_API_TOKEN: 'fx_token' });
    expect(apis.paystackApiBaseUrl).toBe('http://127.0.0.1:4011');
    expect(apis.feexpayApi).toEqual({ baseUrl: 'http://127.0.0.1:4012', token: 'fx_token' });
  });

  it.each([
    [{ RECONCILE_AFTER: '30 minutes' }, 'RECONCILE_AFTER must be a positive duration such as 90s, 30m or 24h'],
    [{ RECONCILE_INTERVAL: '-5s' }, 'RECONCILE_INTERVAL must be a positive duration'],
    [{ RECONCILE_AFTER: '2h', RECONCILE_EXPIRE_AFTER: '1h' }, 'RECONCILE_EXPIRE_AFTER (1h) must not be shorter than RECONCILE_AFTER (2h)'],
    [{ RECONCILE_BATCH: '0' }, 'RECONCILE_BATCH must be a whole number from 1 to 1000'],
    [{ RECONCILE_BATCH: '2.5' }, 'RECONCILE_BATCH must be a whole number from 1 to 1000'],
    [{ PAYSTACK_API_BASE_URL: 'api.paystack.co' }, 'PAYSTACK_API_BASE_URL must be an absolute http(s) URL'],
    [{ FEEXPAY_API_BASE_URL: 'ftp://api.feexpay.me' }, 'FEEXPAY_API_BASE_URL must be an http(s) URL'],
  ])('refuses reconciliation setting %p, naming what to fix', (env, message) => {
    expect(() => load(env)).toThrow(message);
  });

  it.each([
    [{ PORT: 'http' }, 'PORT must be a port number (0-65535), got "http".'],
    [{ PORT: '70000' }, 'PORT must be a port number'],
    [{ PUBLIC_URL: 'demo.example.com' }, 'PUBLIC_URL must be an absolute http(s) URL'],
    [{ PUBLIC_URL: 'ftp://demo.example.com' }, 'PUBLIC_URL must be an http(s) URL'],
    [{ DATABASE_URL: 'mysql://root:hunter2@db/demo' }, 'DATABASE_URL must be a PostgreSQL URL'],
    [{ DATABASE_URL: 'postgres://demo:hunter2@db/demo', DATABASE_PASSWORD: 'hunter2' }, 'give the password once'],
    [{ DATABASE_PASSWORD: 'hunter2' }, 'DATABASE_PASSWORD is set but DATABASE_URL is not'],
    [{ FEEXPAY_PATH: 'api/feexpay' }, 'FEEXPAY_PATH must start with "/"'],
    [{ PAYSTACK_ALLOW_IPS: '52.31.139.75,paystack.co' }, 'PAYSTACK_ALLOW_IPS: "paystack.co" is not an IP address or CIDR range'],
    [{ PAYSTACK_ALLOW_IPS: '52.31.139.0/33' }, 'PAYSTACK_ALLOW_IPS: "52.31.139.0/33" is not an IP address or CIDR range'],
  ])('refuses %p, naming what to fix', (env, message) => {
    expect(() => load(env)).toThrow(message);
    try {
      load(env);
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});
