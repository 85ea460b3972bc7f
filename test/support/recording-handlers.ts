import { Injectable } from '@nestjs/common';
import {
  OnPaymentCompleted,
  OnPaymentFailed,
  OnProviderEvent,
  type PaymentEvent,
  type ProviderEvent,
  type WebhookHandlerContext,
} from 'nestjs-payment-webhooks';

export interface HandlerCall {
  handler: string;
  eventId: string;
  reference?: string;
  attempt: number;
}

/** Handlers that record every call, and fail on demand. */
@Injectable()
export class RecordingHandlers {
  readonly calls: HandlerCall[] = [];
  /** How many more times `onCompleted` throws before it succeeds (Infinity: always). */
  failCompleted = 0;

  @OnPaymentCompleted()
  onCompleted(payment: PaymentEvent, ctx: WebhookHandlerContext): void {
    this.calls.push({ handler: 'completed', eventId: ctx.event.id, reference: payment.reference, attempt: ctx.attempt });
    if (this.failCompleted > 0) {
      this.failCompleted--;
      throw new Error('simulated handler failure');
    }
  }

  @OnPaymentCompleted({ provider: 'stripe' })
  async onStripeCompleted(payment: PaymentEvent, ctx: WebhookHandlerContext): Promise<void> {
    this.calls.push({ handler: 'stripe-completed', eventId: ctx.event.id, reference: payment.reference, attempt: ctx.attempt });
  }

  @OnPaymentFailed()
  onFailed(payment: PaymentEvent, ctx: WebhookHandlerContext): void {
    this.calls.push({ handler: 'failed', eventId: ctx.event.id, reference: payment.reference, attempt: ctx.attempt });
  }

  @OnProviderEvent('stripe', 'customer.created')
  onCustomer(event: ProviderEvent, ctx: WebhookHandlerContext): void {
    this.calls.push({ handler: 'customer.created', eventId: event.id, attempt: ctx.attempt });
  }

  count(handler: string, eventId?: string): number {
    return this.calls.filter((call) => call.handler === handler && (!eventId || call.eventId === eventId)).length;
  }
}
