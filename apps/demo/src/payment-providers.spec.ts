import type { DemoConfig } from './demo.config';
import { buildPaymentProviders, DEVELOPMENT_STRIPE_SECRET } from './payment-providers';

const base: DemoConfig = {
  port: 3000,
  publicUrl: 'http://localhost:3000',
  database: { type: 'better-sqlite3', database: ':memory:' },
  trustProxy: false,
  logLevel: 'silent',
  production: false,
  stripeSecrets: [],
  paystackSecretKeys: [],
  paystackAllowIps: [],
  standardWebhooksSecrets: [],
  feexpaySecrets: [],
  payqiSecrets: [],
  mvolaCallbackTokens: [],
  adminTokens: [],
  mvolaApi: {},
  feexpayPath: '/api/v1/payments/feexpay/webhook/',
  feexpayApi: { baseUrl: 'https://api.feexpay.me' },
  paystackApiBaseUrl: 'https://api.paystack.co',
  reconciliation: { afterMs: 1_800_000, intervalMs: 60_000, expireAfterMs: 86_400_000, batchSize: 50 },
  webhooks: { worker: true },
};

const mvolaApi = { baseUrl: 'https://devapi.mvola.mg', consumerKey: 'ck', consumerSecret: 'cs_secret_value', partnerName: 'Demo', partnerMsisdn: '0343500004' };

describe('buildPaymentProviders', () => {
  it('mounts each provider whose secret is set, and reports every provider on one line', () => {
    const providers = buildPaymentProviders({
      ...base,
      stripeSecrets: ['whsec_a', 'whsec_b'],
      feexpaySecrets: ['feexpay_secret_value'],
      mvolaCallbackTokens: ['token_value'],
      mvolaApi,
    });
    expect(providers.names).toEqual(['stripe', 'feexpay', 'mvola']);
    expect(providers.mvola?.name).toBe('mvola');
    expect(providers.list.find((p) => p.name === 'feexpay')?.paths).toEqual(['/api/v1/payments/feexpay/webhook/']);
    expect(providers.report.map((line) => line.message)).toEqual([
      'stripe: mounted (2 secrets, for rotation)',
      'paystack: not mounted: PAYSTACK_SECRET_KEY is not set (nor PAYSTACK_SECRET_KEY_FILE, nor /run/secrets/paystack_secret_key)',
      'feexpay: mounted (1 secret; also at /api/v1/payments/feexpay/webhook/)',
      'payqi: not mounted: PAYQI_WEBHOOK_SECRET is not set (nor PAYQI_WEBHOOK_SECRET_FILE, nor /run/secrets/payqi_webhook_secret)',
      'standard-webhooks: not mounted: STANDARD_WEBHOOKS_SECRET is not set (nor STANDARD_WEBHOOKS_SECRET_FILE, nor /run/secrets/standard_webhooks_secret)',
      'mvola: mounted (1 callback token; API https://devapi.mvola.mg)',
    ]);
    const printed = JSON.stringify(providers.report);
    for (const secret of ['whsec_a', 'whsec_b', 'feexpay_secret_value', 'token_value', 'cs_secret_value']) expect(printed).not.toContain(secret);
  });

  it('does not mount MVola without its API settings, and says which are missing', () => {
    const providers = buildPaymentProviders({ ...base, paystackSecretKeys: ['sk_test_x'], mvolaCallbackTokens: ['token'], mvolaApi: { ...mvolaApi, consumerSecret: undefined, partnerName: undefined } });
    expect(providers.names).toEqual(['paystack']);
    expect(providers.mvola).toBeUndefined();
    expect(providers.report.at(-1)?.message).toBe(
      "mvola: not mounted: its callbacks are confirmed with MVola's API; set MVOLA_CONSUMER_SECRET, MVOLA_PARTNER_NAME (or their *_FILE)",
    );
  });

  it('mounts Paystack behind PAYSTACK_ALLOW_IPS when it is set, and says so', () => {
    const open = buildPaymentProviders({ ...base, paystackSecretKeys: ['sk_test_x'] });
    expect(open.list[0].allowIps).toBeUndefined();
    const guarded = buildPaymentProviders({ ...base, paystackSecretKeys: ['sk_test_x'], paystackAllowIps: ['52.31.139.75', '52.49.173.169'] });
    expect(guarded.list[0].allowIps).toEqual(['52.31.139.75', '52.49.173.169']);
    expect(guarded.report.find((line) => line.provider === 'paystack')?.message).toBe('paystack: mounted (1 secret; only from 52.31.139.75, 52.49.173.169)');
  });

  it('with no provider at all in development, mounts Stripe with the public development secret and warns', () => {
    const providers = buildPaymentProviders(base);
    expect(providers.names).toEqual(['stripe']);
    const stripeLine = providers.report.find((line) => line.provider === 'stripe');
    expect(stripeLine).toMatchObject({ mounted: true, level: 'warn' });
    expect(stripeLine?.message).toContain(`DEVELOPMENT secret "${DEVELOPMENT_STRIPE_SECRET}"`);
    expect(stripeLine?.message).toContain('set STRIPE_WEBHOOK_SECRET');
  });

  it('never falls back to the development secret when another provider is configured', () => {
    expect(buildPaymentProviders({ ...base, payqiSecrets: ['payqi'] }).names).toEqual(['payqi']);
  });

  it('refuses to start in production with no provider, naming the variables to set', () => {
    expect(() => buildPaymentProviders({ ...base, production: true })).toThrow(/No payment provider is configured\. Set at least one of STRIPE_WEBHOOK_SECRET/);
  });
});
