import { Injectable } from '@nestjs/common';
import type { HandlerSubscription } from './handler-subscription';
import type { ProviderEvent } from './payment-event';
import type { WebhookBatchContext } from './webhook-batch-context';
import type { WebhookHandlerContext } from './webhook-handler-context';

export type RegisteredHandler = {
  /** Stable identity used for per-handler outcomes: the decorator's `name`, else `ClassName.method`. */
  key: string;
  subscriptions: readonly HandlerSubscription[];
} & (
  | { maxBatchSize?: undefined; invoke(event: ProviderEvent, context: WebhookHandlerContext): Promise<unknown> }
  /** `@OnPaymentBatch()`: many events per call. */
  | { maxBatchSize: number; maxBatchWaitMs: number; invokeBatch(events: ProviderEvent[], context: WebhookBatchContext): Promise<unknown> }
);

/** The handlers found at bootstrap. */
@Injectable()
export class WebhookHandlerRegistry {
  private readonly handlers: RegisteredHandler[] = [];

  add(handler: RegisteredHandler): void {
    this.handlers.push(handler);
  }

  all(): readonly RegisteredHandler[] {
    return this.handlers;
  }

  /** The handlers one event runs, in discovery order. */
  matching(event: ProviderEvent): RegisteredHandler[] {
    return this.handlers.filter((handler) => handler.subscriptions.some((subscription) => matches(subscription, event)));
  }
}

function matches(subscription: HandlerSubscription, event: ProviderEvent): boolean {
  if (subscription.kind === 'provider') {
    return subscription.provider === event.provider && (subscription.type === '*' || subscription.type === event.type);
  }
  const payment = event.payment;
  return !!payment && payment.type === subscription.type && (!subscription.providers || subscription.providers.includes(event.provider));
}
