import { Logger, type FactoryProvider } from '@nestjs/common';
import { feexpay, mvola, payqi, paystack, standardWebhooks, stripe, type MvolaProvider, type WebhookProvider } from 'nestjs-payment-webhooks';
import { DEMO_CONFIG, type DemoConfig, type DemoMvolaApiConfig } from './demo.config';
import { normalizeStandardWebhook, STANDARD_WEBHOOKS_ENDPOINT } from './standard-webhooks-payments';

/** Public on purpose: lets `npm start` work on a fresh machine. Never accepted in production. */
export const DEVELOPMENT_STRIPE_SECRET = 'whsec_dev_demo_only';

/** One start-up log line about one provider: whether it is mounted and why. Never a secret. */
export interface ProviderReport {
  provider: string;
  mounted: boolean;
  level: 'log' | 'warn';
  message: string;
}

/** The webhook endpoints this demo serves, built once from its configuration. */
export class PaymentProviders {
  constructor(
    /** What WebhooksModule serves. */
    readonly list: readonly WebhookProvider[],
    readonly report: readonly ProviderReport[],
    /** Set when MVola is mounted: its API client starts merchant payments. */
    readonly mvola?: MvolaProvider,
  ) {}

  /** Endpoint names a registration may choose. */
  get names(): string[] {
    return this.list.map((provider) => provider.name);
  }

  has(name: string): boolean {
    return this.list.some((provider) => provider.name === name);
  }
}

const MVOLA_API_VARIABLES: Record<keyof DemoMvolaApiConfig, string> = {
  baseUrl: 'MVOLA_API_BASE_URL',
  consumerKey: 'MVOLA_CONSUMER_KEY',
  consumerSecret: 'MVOLA_CONSUMER_SECRET',
  partnerName: 'MVOLA_PARTNER_NAME',
  partnerMsisdn: 'MVOLA_PARTNER_MSISDN',
};

/**
 * Mounts every provider whose secret is configured and reports the others. With no provider at
 * all, development falls back to Stripe with a public development secret; production refuses to start.
 */
export function buildPaymentProviders(config: DemoConfig): PaymentProviders {
  const list: WebhookProvider[] = [];
  const report: ProviderReport[] = [];
  const mounted = (provider: WebhookProvider, detail: string) => {
    list.push(provider);
    report.push({ provider: provider.name, mounted: true, level: 'log', message: `${provider.name}: mounted (${detail})` });
  };
  const skipped = (provider: string, why: string) =>
    report.push({ provider, mounted: false, level: 'log', message: `${provider}: not mounted: ${why}` });
  const secretCount = (secrets: string[]) => (secrets.length === 1 ? '1 secret' : `${secrets.length} secrets, for rotation`);

  if (config.stripeSecrets.length) mounted(stripe({ secrets: config.stripeSecrets }), secretCount(config.stripeSecrets));
  else skipped('stripe', unset('STRIPE_WEBHOOK_SECRET'));

  if (config.paystackSecretKeys.length) {
    const allowIps = config.paystackAllowIps;
    const allowed = allowIps.length ? `; only from ${allowIps.join(', ')}` : '';
    mounted(paystack({ secretKeys: config.paystackSecretKeys, ...(allowIps.length ? { allowIps } : {}) }), secretCount(config.paystackSecretKeys) + allowed);
  } else skipped('paystack', unset('PAYSTACK_SECRET_KEY'));

  if (config.feexpaySecrets.length) {
    mounted(feexpay({ secrets: config.feexpaySecrets, path: config.feexpayPath }), `${secretCount(config.feexpaySecrets)}; also at ${config.feexpayPath}`);
  } else skipped('feexpay', unset('FEEXPAY_WEBHOOK_SECRET'));

  if (config.payqiSecrets.length) mounted(payqi({ secrets: config.payqiSecrets }), secretCount(config.payqiSecrets));
  else skipped('payqi', unset('PAYQI_WEBHOOK_SECRET'));

  if (config.standardWebhooksSecrets.length) {
    mounted(
      standardWebhooks({ name: STANDARD_WEBHOOKS_ENDPOINT, secrets: config.standardWebhooksSecrets, normalize: normalizeStandardWebhook }),
      secretCount(config.standardWebhooksSecrets),
    );
  } else skipped(STANDARD_WEBHOOKS_ENDPOINT, unset('STANDARD_WEBHOOKS_SECRET'));

  let mvolaProvider: MvolaProvider | undefined;
  const missingApi = (Object.keys(MVOLA_API_VARIABLES) as Array<keyof DemoMvolaApiConfig>).filter((key) => !config.mvolaApi[key]).map((key) => MVOLA_API_VARIABLES[key]);
  if (!config.mvolaCallbackTokens.length) skipped('mvola', unset('MVOLA_CALLBACK_TOKEN'));
  else if (missingApi.length) skipped('mvola', `its callbacks are confirmed with MVola's API; set ${missingApi.join(', ')} (or their *_FILE)`);
  else {
    const { baseUrl, consumerKey, consumerSecret, partnerName, partnerMsisdn } = config.mvolaApi as Required<DemoMvolaApiConfig>;
    mvolaProvider = mvola({ callbackToken: config.mvolaCallbackTokens, api: { baseUrl, consumerKey, consumerSecret, partnerName, partnerMsisdn } });
    mounted(mvolaProvider, `${config.mvolaCallbackTokens.length === 1 ? '1 callback token' : `${config.mvolaCallbackTokens.length} callback tokens`}; API ${baseUrl}`);
  }

  if (list.length === 0) {
    if (config.production) {
      throw new Error(
        'No payment provider is configured. Set at least one of STRIPE_WEBHOOK_SECRET, PAYSTACK_SECRET_KEY, FEEXPAY_WEBHOOK_SECRET, ' +
          'PAYQI_WEBHOOK_SECRET, STANDARD_WEBHOOKS_SECRET, or MVOLA_CALLBACK_TOKEN with the MVOLA_API_* settings (each also as *_FILE or a Docker secret).',
      );
    }
    list.push(stripe({ secrets: [DEVELOPMENT_STRIPE_SECRET] }));
    const index = report.findIndex((line) => line.provider === 'stripe');
    report[index] = {
      provider: 'stripe',
      mounted: true,
      level: 'warn',
      message:
        `stripe: mounted with the public DEVELOPMENT secret "${DEVELOPMENT_STRIPE_SECRET}" because no provider secret is set ` +
        '(NODE_ENV is not production). Anyone can sign events with it: set STRIPE_WEBHOOK_SECRET for real use.',
    };
  }
  return new PaymentProviders(list, report, mvolaProvider);
}

function unset(variable: string): string {
  return `${variable} is not set (nor ${variable}_FILE, nor /run/secrets/${variable.toLowerCase()})`;
}

/** Builds the providers once for the whole app and logs one line per provider. */
export const paymentProvidersProvider: FactoryProvider<PaymentProviders> = {
  provide: PaymentProviders,
  inject: [DEMO_CONFIG],
  useFactory: (config: DemoConfig) => {
    const providers = buildPaymentProviders(config);
    const logger = new Logger('PaymentProviders');
    for (const line of providers.report) logger[line.level](line.message);
    return providers;
  },
};
