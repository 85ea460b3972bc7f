import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DEMO_CONFIG, type DemoConfig } from './demo.config';
import { PaymentProviders, paymentProvidersProvider } from './payment-providers';

/** The configuration and the provider list, visible everywhere (WebhooksModule's async factory too). */
@Global()
@Module({})
export class DemoConfigModule {
  static forRoot(config: DemoConfig): DynamicModule {
    return {
      module: DemoConfigModule,
      providers: [{ provide: DEMO_CONFIG, useValue: config }, paymentProvidersProvider],
      exports: [DEMO_CONFIG, PaymentProviders],
    };
  }
}
