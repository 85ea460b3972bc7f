import { Injectable, Logger } from '@nestjs/common';
import {
  OnPaymentCancelled,
  OnPaymentCompleted,
  OnPaymentExpired,
  OnPaymentFailed,
  OnPaymentRefunded,
  type PaymentEvent,
  type WebhookHandlerContext,
} from 'nestjs-payment-webhooks';
import type { EntityManager } from 'typeorm';
import { rowLock } from '../database/row-lock';
import { RegistrationEntity } from './registration.entity';
import { describePayment, RegistrationSettlement } from './registration-settlement';
import type { RegistrationStatus } from './registration-status';

/**
 * Moves registrations as payments settle, whichever provider reports them. Each handler's writes
 * commit in `ctx.transaction` with the library's "handler done" record, so a retry never applies
 * them twice; the registration row is locked first, so two events about one registration take turns.
 * A registration never moves backwards: a late or out-of-order event is logged and ignored.
 */
@Injectable()
export class RegistrationPaymentsHandler {
  private readonly logger = new Logger('RegistrationPayments');

  constructor(private readonly settlement: RegistrationSettlement) {}

  /** PENDING → PAID. After FAILED or EXPIRED the seat was given away: take one again if one is free. */
  @OnPaymentCompleted({ name: 'registration-paid' })
  onCompleted(payment: PaymentEvent, ctx: WebhookHandlerContext): Promise<void> {
    return ctx.transaction(async (manager) => {
      const registration = await this.registrationFor(manager, payment, ctx);
      if (registration) await this.settlement.complete(manager, registration, payment);
    });
  }

  /** PENDING → FAILED, and the seat is free again. */
  @OnPaymentFailed({ name: 'registration-failed' })
  @OnPaymentCancelled({ name: 'registration-failed' })
  onFailed(payment: PaymentEvent, ctx: WebhookHandlerContext): Promise<void> {
    return this.releaseSeatOf(payment, ctx, 'PENDING', 'FAILED');
  }

  /** PENDING → EXPIRED (the checkout was abandoned), and the seat is free again. */
  @OnPaymentExpired({ name: 'registration-expired' })
  onExpired(payment: PaymentEvent, ctx: WebhookHandlerContext): Promise<void> {
    return this.releaseSeatOf(payment, ctx, 'PENDING', 'EXPIRED');
  }

  /** PAID → REFUNDED, and the seat is free again. A partial refund keeps the seat. */
  @OnPaymentRefunded({ name: 'registration-refunded' })
  async onRefunded(payment: PaymentEvent, ctx: WebhookHandlerContext): Promise<void> {
    if (payment.metadata.partialRefund === true) {
      this.logger.log(`Partial refund of ${payment.provider} payment ${payment.transactionId ?? payment.reference}: the registration keeps its seat.`);
      return;
    }
    return this.releaseSeatOf(payment, ctx, 'PAID', 'REFUNDED');
  }

  private releaseSeatOf(payment: PaymentEvent, ctx: WebhookHandlerContext, from: RegistrationStatus, to: RegistrationStatus): Promise<void> {
    return ctx.transaction(async (manager) => {
      const registration = await this.registrationFor(manager, payment, ctx);
      if (registration) await this.settlement.release(manager, registration, from, to, describePayment(payment));
    });
  }

  /**
   * The registration a payment is about, locked: by the reference the provider echoes, or by
   * Stripe's `metadata.registrationId`. Unknown is logged, not an error: a retry would not find it either.
   */
  private async registrationFor(manager: EntityManager, payment: PaymentEvent, ctx: WebhookHandlerContext): Promise<RegistrationEntity | null> {
    const registrationId = typeof payment.metadata.registrationId === 'string' ? payment.metadata.registrationId : undefined;
    const registration = await manager.findOne(RegistrationEntity, {
      where: [{ reference: payment.reference }, ...(registrationId ? [{ id: registrationId }] : [])],
      lock: rowLock(manager),
    });
    if (!registration) {
      this.logger.warn(`No registration for ${describePayment(payment)} (delivery ${ctx.deliveryId}); nothing to do.`);
    }
    return registration;
  }
}
