import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { WEBHOOK_ENDPOINT_METADATA, WEBHOOK_HANDLER_METADATA, WEBHOOKS_CONFIG } from '../webhooks.constants';
import { WebhooksConfigError, type WebhooksConfig } from '../webhooks.options';
import type { HandlerSubscription } from './handler-subscription';
import type { PaymentEvent, ProviderEvent } from './payment-event';
import type { WebhookBatchContext } from './webhook-batch-context';
import type { WebhookHandlerContext } from './webhook-handler-context';
import { WebhookHandlerRegistry } from './webhook-handler.registry';

/**
 * Finds every decorated handler method at bootstrap and checks it names configured providers; checks
 * that every `@WebhookEndpoint()` route names a configured endpoint.
 */
@Injectable()
export class WebhookHandlersExplorer implements OnModuleInit {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly registry: WebhookHandlerRegistry,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
  ) {}

  onModuleInit(): void {
    const configured = new Set(this.config.endpoints.map((provider) => provider.name));
    const problems: string[] = [];
    const keys = new Set<string>();
    const unnamed: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      for (const method of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance) as object)) {
        const endpoint = this.reflector.get<string | undefined>(WEBHOOK_ENDPOINT_METADATA, instance[method] as () => unknown);
        if (endpoint !== undefined && !configured.has(endpoint)) {
          problems.push(`${instance.constructor.name}.${method}: @WebhookEndpoint('${endpoint}') names no configured endpoint (configured: ${[...configured].join(', ')})`);
        }
      }
    }
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || wrapper.isAlias || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const subscriptions = this.reflector.get<HandlerSubscription[] | undefined>(WEBHOOK_HANDLER_METADATA, instance[method] as () => unknown);
        if (!subscriptions?.length) continue;
        const where = `${instance.constructor.name}.${method}`;
        if (!wrapper.isDependencyTreeStatic()) {
          problems.push(`${where}: webhook handlers must live in singleton providers, not request- or transient-scoped ones`);
          continue;
        }
        for (const provider of providersNamed(subscriptions)) {
          if (!configured.has(provider)) problems.push(`${where}: handles provider "${provider}", which is not configured (configured: ${[...configured].join(', ')})`);
        }
        const names = [...new Set(subscriptions.map((subscription) => subscription.name).filter((name) => name !== undefined))];
        if (names.length > 1) problems.push(`${where}: its decorators name it ${names.map((n) => `"${n}"`).join(' and ')}; give one name`);
        if (names.length === 1 && keys.has(names[0])) problems.push(`${where}: the handler name "${names[0]}" is already taken; handler names are unique`);
        if (names.length === 0) unnamed.push(where);
        const key = names.length === 1 ? names[0] : uniqueKey(where, keys);
        keys.add(key);
        const batchSizes = subscriptions.map((subscription) => subscription.maxBatchSize);
        if (batchSizes.every((size) => size === undefined)) {
          this.registry.add({ key, subscriptions, invoke: (event, context) => Promise.resolve(invoke(instance, method, event, context, subscriptions)) });
        } else if (batchSizes.some((size) => size === undefined)) {
          problems.push(`${where}: mixes @OnPaymentBatch with decorators that pass one event; a method takes either a list of payments or one event`);
        } else {
          // Looked up at each call, as for one-event handlers, so a test's spy or stub on the instance is used.
          const batchMethod = () => instance[method] as (payments: PaymentEvent[], ctx: WebhookBatchContext) => unknown;
          this.registry.add({
            key,
            subscriptions,
            maxBatchSize: Math.min(...(batchSizes as number[])),
            maxBatchWaitMs: Math.min(...subscriptions.map((subscription) => subscription.maxBatchWaitMs ?? 0)),
            invokeBatch: (events, context) => Promise.resolve(batchMethod().call(instance, events.map((event) => event.payment!), context)),
          });
        }
      }
    }
    if (problems.length > 0) throw new WebhooksConfigError(problems);
    if (unnamed.length > 0) {
      this.logger.warn(
        `Webhook handlers without a name are recorded as ClassName.method, so renaming one makes it run again on retries and replays: ` +
          `${unnamed.join(', ')}. Name them: @OnPaymentCompleted({ name: 'mark-order-paid' }).`,
      );
    }
    this.logger.log(`${this.registry.all().length} webhook handler(s) registered`);
  }
}

function providersNamed(subscriptions: readonly HandlerSubscription[]): string[] {
  return subscriptions.flatMap((subscription) => (subscription.kind === 'provider' ? [subscription.provider] : [...(subscription.providers ?? [])]));
}

function uniqueKey(base: string, taken: Set<string>): string {
  let key = base;
  for (let n = 2; taken.has(key); n++) key = `${base}#${n}`;
  taken.add(key);
  return key;
}

// Payment handlers receive the normalized PaymentEvent; provider handlers the whole ProviderEvent.
function invoke(instance: Record<string, unknown>, method: string, event: ProviderEvent, context: WebhookHandlerContext, subscriptions: readonly HandlerSubscription[]): unknown {
  const fn = instance[method] as (arg: PaymentEvent | ProviderEvent, ctx: WebhookHandlerContext) => unknown;
  const asPayment = event.payment && subscriptions.some((s) => s.kind === 'payment' && s.type === event.payment!.type);
  return fn.call(instance, asPayment ? event.payment! : event, context);
}

