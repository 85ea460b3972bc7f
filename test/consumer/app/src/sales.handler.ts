import { Injectable } from '@nestjs/common';
import { OnPaymentBatch, type PaymentEvent, type WebhookBatchContext } from 'nestjs-payment-webhooks';
import { Sale } from './sale.entity.js';

@Injectable()
export class SalesHandler {
  @OnPaymentBatch('payment.completed', { name: 'count-sales', maxBatchSize: 20 })
  async sold(payments: PaymentEvent[], ctx: WebhookBatchContext): Promise<void> {
    await ctx.transaction(async (manager) => {
      await manager.insert(Sale, payments.map((payment) => ({ reference: payment.reference })));
    });
  }
}
