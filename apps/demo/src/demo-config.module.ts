import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DEMO_CLOCK, DEMO_CONFIG, type DemoConfig } from './demo.config';
import { PaymentProviders, paymentProvidersProvider } from './payment-providers';

/** The configuration, the clock and the provider list, visible everywhere (WebhooksModule's async factory too). */
@Global()
@Module({})
export class DemoConfigModule {
  static forRoot(config: DemoConfig): DynamicModule {
    return {
      module: DemoConfigModule,
      providers: [
        { provide: DEMO_CONFIG, useValue: config },
        { provide: DEMO_CLOCK, useValue: config.clock ?? (() => new Date()) },
        paymentProvidersProvider,
      ],
      exports: [DEMO_CONFIG, DEMO_CLOCK, PaymentProviders],
    };
  }
}
