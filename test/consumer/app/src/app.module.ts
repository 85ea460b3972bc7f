import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { stripe, WebhooksModule } from 'nestjs-payment-webhooks';
import { Payment } from './payment.entity.js';
import { PaymentsHandler } from './payments.handler.js';
import { Sale } from './sale.entity.js';
import { SalesHandler } from './sales.handler.js';

@Module({
  imports: [
    TypeOrmModule.forRoot({ type: 'postgres', url: process.env.DATABASE_URL, entities: [Payment, Sale], synchronize: true }),
    WebhooksModule.forRoot({ endpoints: [stripe({ secrets: [process.env.STRIPE_WEBHOOK_SECRET!] })] }),
  ],
  providers: [PaymentsHandler, SalesHandler],
})
export class AppModule {}
