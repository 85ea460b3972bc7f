import { Logger, type FactoryProvider } from '@nestjs/common';
import { DEMO_CONFIG, type DemoConfig } from '../demo.config';
import { PaymentProviders } from '../payment-providers';
import { FeexpayStatusClient } from './feexpay-status.client';
import { MvolaStatusSource } from './mvola-status.source';
import type { PaymentStatusSource } from './payment-status-source';
import { PaystackVerifyClient } from './paystack-verify.client';

/** The status API of each mounted provider that has one here, by endpoint name. */
export class PaymentStatusSources {
  constructor(private readonly byEndpoint: ReadonlyMap<string, PaymentStatusSource>) {}

  /** Undefined: no status API (Stripe, PayQI, Standard Webhooks, FeexPay without FEEXPAY_API_TOKEN). */
  for(endpoint: string): PaymentStatusSource | undefined {
    return this.byEndpoint.get(endpoint);
  }

  get endpoints(): string[] {
    return [...this.byEndpoint.keys()];
  }
}

/** Built once from the configuration: the same credentials the webhook endpoints use. */
export function buildPaymentStatusSources(config: DemoConfig, providers: PaymentProviders): PaymentStatusSources {
  const sources = new Map<string, PaymentStatusSource>();
  // Paystack's API takes the secret key its webhooks are signed with; during a rotation, the first (newest) one.
  if (providers.has('paystack') && config.paystackSecretKeys.length) {
    sources.set('paystack', new PaystackVerifyClient(config.paystackApiBaseUrl, config.paystackSecretKeys[0]));
  }
  if (providers.has('feexpay') && config.feexpayApi.token) {
    sources.set('feexpay', new FeexpayStatusClient(config.feexpayApi.baseUrl, config.feexpayApi.token));
  }
  if (providers.mvola) sources.set(providers.mvola.name, new MvolaStatusSource(providers.mvola.client));
  return new PaymentStatusSources(sources);
}

export const paymentStatusSourcesProvider: FactoryProvider<PaymentStatusSources> = {
  provide: PaymentStatusSources,
  inject: [DEMO_CONFIG, PaymentProviders],
  useFactory: (config: DemoConfig, providers: PaymentProviders) => {
    const sources = buildPaymentStatusSources(config, providers);
    const withoutApi = providers.names.filter((name) => !sources.endpoints.includes(name));
    new Logger('Reconciliation').log(
      `Status APIs: ${sources.endpoints.join(', ') || 'none'}; ${withoutApi.length ? `${withoutApi.join(', ')} registrations expire unpaid` : 'every provider has one'}` +
        (providers.has('feexpay') && !config.feexpayApi.token ? ' (set FEEXPAY_API_TOKEN to ask FeexPay)' : '') +
        '.',
    );
    return sources;
  },
};
