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
import { EventEntity } from '../events/event.entity';
import { releaseSeat, takeSeat } from '../events/event-seats';
import { RegistrationEntity, type PaymentIssue } from './registration.entity';
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

  /** PENDING → PAID. After FAILED or EXPIRED the seat was given away: take one again if one is free. */
  @OnPaymentCompleted({ name: 'registration-paid' })
  onCompleted(payment: PaymentEvent, ctx: WebhookHandlerContext): Promise<void> {
    return ctx.transaction(async (manager) => {
      const registration = await this.registrationFor(manager, payment, ctx);
      if (!registration) return;
      if (registration.status === 'PAID' || registration.status === 'REFUNDED') {
        this.logger.log(`Registration ${registration.id} stays ${registration.status}: ${describe(payment)} changes nothing.`);
        return;
      }
      const issue = await this.mismatchOf(manager, registration, payment);
      if (issue) {
        this.logger.warn(
          `Registration ${registration.id} stays ${registration.status}: ${describe(payment)} paid ${issue.received.amountMinor ?? '?'} ${issue.received.currency ?? '?'} ` +
            `(minor units) but expected ${issue.expected.amountMinor} ${issue.expected.currency} through ${issue.expected.provider}; refund ${payment.provider} payment ${payment.transactionId ?? registration.reference}.`,
        );
        await manager.update(RegistrationEntity, { id: registration.id }, { paymentIssue: issue, updatedAt: new Date() });
        return;
      }
      if (registration.status !== 'PENDING' && !(await takeSeat(manager, registration.eventId))) {
        this.logger.warn(
          `Registration ${registration.id} (${registration.reference}) paid without a seat: refund ${payment.provider} payment ` +
            `${payment.transactionId ?? registration.reference}. The event filled up after it was ${registration.status}; it stays ${registration.status}.`,
        );
        return;
      }
      const now = new Date();
      await manager.update(
        RegistrationEntity,
        { id: registration.id },
        { status: 'PAID', paidAt: now, paymentTransactionId: payment.transactionId ?? null, updatedAt: now },
      );
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
      if (!registration) return;
      if (registration.status !== from) {
        this.logger.log(`Registration ${registration.id} stays ${registration.status}: ${describe(payment)} only moves a ${from} registration.`);
        return;
      }
      await manager.update(RegistrationEntity, { id: registration.id }, { status: to, updatedAt: new Date() });
      await releaseSeat(manager, registration.eventId);
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
      this.logger.warn(`No registration for ${describe(payment)} (delivery ${ctx.deliveryId}); nothing to do.`);
    }
    return registration;
  }

  /**
   * A completed payment through another provider than the registration's, or for another amount or
   * currency than the event's price, never makes it PAID. MVola's callback carries no amount: the
   * demo started that payment itself, for the price.
   */
  private async mismatchOf(manager: EntityManager, registration: RegistrationEntity, payment: PaymentEvent): Promise<PaymentIssue | undefined> {
    const event = await manager.findOneByOrFail(EventEntity, { id: registration.eventId });
    const differs =
      payment.provider !== registration.provider ||
      (payment.amountMinor !== undefined && payment.amountMinor !== Number(event.priceMinor)) ||
      (payment.currency !== undefined && payment.currency !== event.currency);
    if (!differs) return undefined;
    return {
      received: { provider: payment.provider, amountMinor: payment.amountMinor, currency: payment.currency, transactionId: payment.transactionId },
      expected: { provider: registration.provider, amountMinor: Number(event.priceMinor), currency: event.currency },
      at: new Date().toISOString(),
    };
  }
}

function describe(payment: PaymentEvent): string {
  return `${payment.type} from ${payment.provider} for reference ${payment.reference}`;
}
