import { WEBHOOK_HANDLER_METADATA } from '../webhooks.constants';
import type { HandlerNameOption, HandlerSubscription, PaymentBatchOptions, PaymentHandlerOptions } from './handler-subscription';
import type { PaymentEventType } from './payment-event';

const HANDLER_NAME = /^[\w.:@/-]{1,200}$/;

function subscribe(subscription: HandlerSubscription): MethodDecorator {
  if (subscription.name !== undefined && !(typeof subscription.name === 'string' && HANDLER_NAME.test(subscription.name))) {
    throw new TypeError(`A webhook handler name is 1 to 200 letters, digits or . _ : @ / -, e.g. { name: 'mark-order-paid' }; got ${JSON.stringify(subscription.name)}`);
  }
  return (_target, _key, descriptor) => {
    // Appends, so decorators stack on one method.
    const handler = descriptor.value as object;
    const existing = (Reflect.getMetadata(WEBHOOK_HANDLER_METADATA, handler) as HandlerSubscription[] | undefined) ?? [];
    Reflect.defineMetadata(WEBHOOK_HANDLER_METADATA, [...existing, subscription], handler);
    return descriptor;
  };
}

/** Runs the method for every normalized payment event of `type`. Decorators stack. */
export function OnPaymentEvent(type: PaymentEventType, options: PaymentHandlerOptions = {}): MethodDecorator {
  const providers = options.provider === undefined ? undefined : [options.provider].flat();
  return subscribe({ kind: 'payment', type, providers, name: options.name });
}

export const OnPaymentCompleted = (options?: PaymentHandlerOptions) => OnPaymentEvent('payment.completed', options);
export const OnPaymentFailed = (options?: PaymentHandlerOptions) => OnPaymentEvent('payment.failed', options);
export const OnPaymentPending = (options?: PaymentHandlerOptions) => OnPaymentEvent('payment.pending', options);
export const OnPaymentExpired = (options?: PaymentHandlerOptions) => OnPaymentEvent('payment.expired', options);
export const OnPaymentCancelled = (options?: PaymentHandlerOptions) => OnPaymentEvent('payment.cancelled', options);
export const OnPaymentRefunded = (options?: PaymentHandlerOptions) => OnPaymentEvent('payment.refunded', options);

/** Default `maxBatchSize` of `@OnPaymentBatch()`. */
export const DEFAULT_MAX_BATCH_SIZE = 50;

/**
 * Runs the method with many payment events of `type` at once: `(payments: PaymentEvent[], ctx:
 * WebhookBatchContext)`, `ctx.items[i]` being the delivery of `payments[i]`. One `ctx.transaction`
 * records every delivery of the batch with the method's writes; if the batch fails, each delivery is
 * run again alone, so one bad event fails only itself. Decorators stack (all with `@OnPaymentBatch`).
 */
export function OnPaymentBatch(type: PaymentEventType, options: PaymentBatchOptions = {}): MethodDecorator {
  const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1 || maxBatchSize > 1000) {
    throw new TypeError(`@OnPaymentBatch maxBatchSize is a whole number from 1 to 1000; got ${JSON.stringify(options.maxBatchSize)}`);
  }
  const maxBatchWaitMs = options.maxBatchWaitMs ?? 0;
  if (!Number.isInteger(maxBatchWaitMs) || maxBatchWaitMs < 0 || maxBatchWaitMs > 60_000) {
    throw new TypeError(`@OnPaymentBatch maxBatchWaitMs is a whole number of milliseconds from 0 to 60000; got ${JSON.stringify(options.maxBatchWaitMs)}`);
  }
  const providers = options.provider === undefined ? undefined : [options.provider].flat();
  return subscribe({ kind: 'payment', type, providers, name: options.name, maxBatchSize, maxBatchWaitMs });
}

/** Runs the method for the provider's own event type ('checkout.session.expired'), or every type with '*'. */
export function OnProviderEvent(provider: string, type = '*', options: HandlerNameOption = {}): MethodDecorator {
  return subscribe({ kind: 'provider', provider, type, name: options.name });
}
