import { Module, type DynamicModule } from '@nestjs/common';
import { requireOptionalPeer } from './optional-peer';
import { HEALTH_INDICATOR_SERVICE, WEBHOOKS_HEALTH_CONFIG } from './webhooks-health.constants';
import { WebhooksHealthIndicator } from './webhooks-health.indicator';
import {
  WEBHOOKS_HEALTH_ASYNC_OPTIONS_TYPE,
  WEBHOOKS_HEALTH_MODULE_OPTIONS,
  WEBHOOKS_HEALTH_OPTIONS_TYPE,
  WebhooksHealthModuleClass,
} from './webhooks-health.module-definition';
import { resolveWebhooksHealthConfig } from './webhooks-health.options';

/**
 * Health indicators of the webhook inbox for @nestjs/terminus (an optional peer: `npm install
 * @nestjs/terminus`). Exports `WebhooksHealthIndicator` and `TerminusModule`, so a controller of the
 * importing module can inject `HealthCheckService` too. `WebhooksModule.forRoot()` must be in the app.
 */
@Module({})
export class WebhooksHealthModule extends WebhooksHealthModuleClass {
  static override forRoot(options: typeof WEBHOOKS_HEALTH_OPTIONS_TYPE = {}): DynamicModule {
    return withTerminus(super.forRoot(options));
  }

  static override forRootAsync(options: typeof WEBHOOKS_HEALTH_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withTerminus(super.forRootAsync(options));
  }
}

function withTerminus(definition: DynamicModule): DynamicModule {
  // Loaded here, not at the top: the package must load in apps that do not install terminus.
  const terminus = requireOptionalPeer(
    '@nestjs/terminus',
    'WebhooksHealthModule',
    'npm install @nestjs/terminus (^11 on Nest 11, ^12 on Nest 11 or 12)',
    () => require('@nestjs/terminus') as typeof import('@nestjs/terminus'),
  );
  return {
    ...definition,
    imports: [...(definition.imports ?? []), terminus.TerminusModule],
    providers: [
      ...(definition.providers ?? []),
      { provide: WEBHOOKS_HEALTH_CONFIG, inject: [WEBHOOKS_HEALTH_MODULE_OPTIONS], useFactory: resolveWebhooksHealthConfig },
      { provide: HEALTH_INDICATOR_SERVICE, useExisting: terminus.HealthIndicatorService },
      WebhooksHealthIndicator,
    ],
    exports: [...(definition.exports ?? []), WebhooksHealthIndicator, terminus.TerminusModule],
  };
}
