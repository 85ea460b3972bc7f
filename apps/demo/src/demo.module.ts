import { Module, ValidationPipe, type DynamicModule } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhooksModule, type WebhooksModuleOptions } from 'nestjs-payment-webhooks';
import { typeOrmOptions } from './database/typeorm-options';
import { DEMO_ADMIN_PATH, DEMO_CONFIG, type DemoConfig } from './demo.config';
import { DemoConfigModule } from './demo-config.module';
import { EventEntity } from './events/event.entity';
import { EventsController } from './events/events.controller';
import { EventsService } from './events/events.service';
import { ObservabilityModule } from './health/observability.module';
import { DemoLoggingModule, type DemoLoggingOptions } from './logging/demo-logging.module';
import { PaymentProviders } from './payment-providers';
import { paymentStatusSourcesProvider } from './reconciliation/payment-status-sources';
import { RegistrationReconciler } from './reconciliation/registration-reconciler';
import { MvolaPayments } from './registrations/mvola-payments';
import { RegistrationEntity } from './registrations/registration.entity';
import { RegistrationPaymentsHandler } from './registrations/registration-payments.handler';
import { RegistrationSettlement } from './registrations/registration-settlement';
import { RegistrationsController } from './registrations/registrations.controller';
import { RegistrationsService } from './registrations/registrations.service';
import { TrustProxySetting } from './trust-proxy.setting';

/** The demo: event registrations whose seats are settled by payment webhooks, and reconciled when none comes. */
@Module({})
export class DemoModule {
  static forRoot(config: DemoConfig, logging: Partial<DemoLoggingOptions> = {}): DynamicModule {
    return {
      module: DemoModule,
      imports: [
        DemoConfigModule.forRoot(config),
        DemoLoggingModule.forRoot({ level: config.logLevel, ...logging }),
        TypeOrmModule.forRoot(typeOrmOptions(config)),
        TypeOrmModule.forFeature([EventEntity, RegistrationEntity]),
        WebhooksModule.forRootAsync({
          // The admin API (and its token) only when WEBHOOKS_ADMIN_TOKEN is set.
          ...(config.adminTokens.length ? { adminPath: DEMO_ADMIN_PATH } : {}),
          inject: [DEMO_CONFIG, PaymentProviders],
          useFactory: (demo: DemoConfig, providers: PaymentProviders): WebhooksModuleOptions => ({
            ...demo.webhooks,
            endpoints: [...providers.list],
            ...(demo.adminTokens.length ? { adminToken: demo.adminTokens } : {}),
            // The demo applies its own migrations at start too; the library's migrator holds an advisory
            // lock on PostgreSQL, so replicas starting together migrate once.
            migrationsRun: true,
          }),
        }),
        ObservabilityModule,
      ],
      controllers: [EventsController, RegistrationsController],
      providers: [
        // Unknown fields are refused rather than dropped, so a typo gets a 400 instead of a silent default.
        { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }) },
        EventsService,
        RegistrationsService,
        MvolaPayments,
        RegistrationSettlement,
        RegistrationPaymentsHandler,
        paymentStatusSourcesProvider,
        RegistrationReconciler,
        TrustProxySetting,
      ],
    };
  }
}
