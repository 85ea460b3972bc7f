import { Injectable } from '@nestjs/common';
import { OnPaymentCompleted, type PaymentEvent, type WebhookHandlerContext } from 'nestjs-payment-webhooks';
import { Payment } from './payment.entity.js';

@Injectable()
export class PaymentsHandler {
  @OnPaymentCompleted({ name: 'record-payment' })
  async paid(event: PaymentEvent, ctx: WebhookHandlerContext): Promise<void> {
    await ctx.transaction(async (manager) => {
      await manager.insert(Payment, { reference: event.reference, amountMinor: event.amountMinor ?? 0 });
    });
  }
}
