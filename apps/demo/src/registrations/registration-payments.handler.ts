import { Injectable, Logger } from '@nestjs/common';
import {
  OnPaymentBatch,
  OnPaymentCancelled,
  OnPaymentExpired,
  OnPaymentFailed,
  OnPaymentRefunded,
  type PaymentEvent,
  type WebhookBatchContext,
  type WebhookHandlerContext,
} from 'nestjs-payment-webhooks';
import { In, type EntityManager } from 'typeorm';
import { rowLock } from '../database/row-lock';
import { EventEntity } from '../events/event.entity';
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

  /**
   * PENDING → PAID. After FAILED or EXPIRED the seat was given away: take one again if one is free.
   * Completed payments come in batches (a flash sale's burst is many of them): one transaction locks
   * every registration of the batch, in id order, reads their events once, settles each payment in
   * turn (two payments of one registration see each other) and writes every PAID in one statement.
   * A batch waits up to 50 ms to fill: at a few hundred payments a second that makes one transaction
   * of several instead of one each, and leaves the database to acknowledgements.
   */
  @OnPaymentBatch('payment.completed', { name: 'registration-paid', maxBatchWaitMs: 50 })
  onCompleted(payments: PaymentEvent[], ctx: WebhookBatchContext): Promise<void> {
    return ctx.transaction(async (manager) => {
      const references = payments.map((payment) => payment.reference);
      const ids = payments.map(registrationIdOf).filter((id) => id !== undefined);
      const registrations = await manager.find(RegistrationEntity, {
        where: [{ reference: In(references) }, ...(ids.length > 0 ? [{ id: In(ids) }] : [])],
        order: { id: 'ASC' },
        lock: rowLock(manager),
      });
      const events = await manager.findBy(EventEntity, { id: In([...new Set(registrations.map((registration) => registration.eventId))]) });
      const settling: Array<{ registration: RegistrationEntity; payment: PaymentEvent; event: EventEntity }> = [];
      for (const [index, payment] of payments.entries()) {
        const id = registrationIdOf(payment);
        const registration = registrations.find((candidate) => candidate.reference === payment.reference || candidate.id === id);
        const event = registration && events.find((candidate) => candidate.id === registration.eventId);
        if (registration && event) settling.push({ registration, payment, event });
        else this.unknown(payment, ctx.items[index].deliveryId);
      }
      await this.settlement.completeMany(manager, settling);
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
   * Stripe's `metadata.registrationId`.
   */
  private async registrationFor(manager: EntityManager, payment: PaymentEvent, ctx: WebhookHandlerContext): Promise<RegistrationEntity | null> {
    const registrationId = registrationIdOf(payment);
    const registration = await manager.findOne(RegistrationEntity, {
      where: [{ reference: payment.reference }, ...(registrationId ? [{ id: registrationId }] : [])],
      lock: rowLock(manager),
    });
    if (!registration) this.unknown(payment, ctx.deliveryId);
    return registration;
  }

  /** Logged, not an error: a retry would not find it either. */
  private unknown(payment: PaymentEvent, deliveryId: string): void {
    this.logger.warn(`No registration for ${describePayment(payment)} (delivery ${deliveryId}); nothing to do.`);
  }
}

/** Stripe Checkout sessions carry the registration's id in their metadata. */
function registrationIdOf(payment: PaymentEvent): string | undefined {
  return typeof payment.metadata.registrationId === 'string' ? payment.metadata.registrationId : undefined;
}
