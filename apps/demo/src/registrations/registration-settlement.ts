import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PaymentEvent } from 'nestjs-payment-webhooks';
import type { EntityManager } from 'typeorm';
import { DEMO_CLOCK } from '../demo.config';
import { EventEntity } from '../events/event.entity';
import { releaseSeat, takeSeat } from '../events/event-seats';
import { RegistrationEntity, type PaymentIssue } from './registration.entity';
import type { RegistrationStatus } from './registration-status';

/** What a completed payment did to a registration. */
export type CompletionResult = 'paid' | 'payment-issue' | 'paid-without-seat' | 'unchanged';

/**
 * The moves of DESIGN §7, whoever learnt of the payment: a webhook handler or reconciliation. Each
 * method runs inside the caller's transaction on a registration it has locked (`rowLock`).
 */
@Injectable()
export class RegistrationSettlement {
  private readonly logger = new Logger('RegistrationPayments');

  constructor(@Inject(DEMO_CLOCK) private readonly clock: () => Date) {}

  /**
   * PENDING → PAID. After FAILED or EXPIRED the seat was given away: take one again if one is free,
   * else log "paid without a seat: refund". A payment that does not match is kept as `paymentIssue`.
   * `event` is the registration's event when the caller has read it already.
   */
  async complete(manager: EntityManager, registration: RegistrationEntity, payment: PaymentEvent, event?: EventEntity): Promise<CompletionResult> {
    if (registration.status === 'PAID' || registration.status === 'REFUNDED') {
      this.logger.log(`Registration ${registration.id} stays ${registration.status}: ${describePayment(payment)} changes nothing.`);
      return 'unchanged';
    }
    const issue = this.mismatchOf(registration, payment, event ?? (await manager.findOneByOrFail(EventEntity, { id: registration.eventId })));
    if (issue) {
      this.logger.warn(
        `Registration ${registration.id} stays ${registration.status}: ${describePayment(payment)} paid ${issue.received.amountMinor ?? '?'} ${issue.received.currency ?? '?'} ` +
          `(minor units) but expected ${issue.expected.amountMinor} ${issue.expected.currency} through ${issue.expected.provider}; refund ${payment.provider} payment ${payment.transactionId ?? registration.reference}.`,
      );
      await manager.update(RegistrationEntity, { id: registration.id }, { paymentIssue: issue, updatedAt: this.clock() });
      return 'payment-issue';
    }
    if (registration.status !== 'PENDING' && !(await takeSeat(manager, registration.eventId))) {
      this.logger.warn(
        `Registration ${registration.id} (${registration.reference}) paid without a seat: refund ${payment.provider} payment ` +
          `${payment.transactionId ?? registration.reference}. The event filled up after it was ${registration.status}; it stays ${registration.status}.`,
      );
      return 'paid-without-seat';
    }
    const now = this.clock();
    await manager.update(
      RegistrationEntity,
      { id: registration.id },
      { status: 'PAID', paidAt: now, paymentTransactionId: payment.transactionId ?? null, updatedAt: now },
    );
    return 'paid';
  }

  /** `from` → `to` (FAILED, EXPIRED, REFUNDED) and the seat back; false, and logged, when it was not `from`. */
  async release(manager: EntityManager, registration: RegistrationEntity, from: RegistrationStatus, to: RegistrationStatus, cause: string): Promise<boolean> {
    if (registration.status !== from) {
      this.logger.log(`Registration ${registration.id} stays ${registration.status}: ${cause} only moves a ${from} registration.`);
      return false;
    }
    await manager.update(RegistrationEntity, { id: registration.id }, { status: to, updatedAt: this.clock() });
    await releaseSeat(manager, registration.eventId);
    return true;
  }

  /**
   * A completed payment through another provider than the registration's, or for another amount or
   * currency than the event's price, never makes it PAID. MVola's callback carries no amount: the
   * demo started that payment itself, for the price.
   */
  private mismatchOf(registration: RegistrationEntity, payment: PaymentEvent, event: EventEntity): PaymentIssue | undefined {
    const differs =
      payment.provider !== registration.provider ||
      (payment.amountMinor !== undefined && payment.amountMinor !== Number(event.priceMinor)) ||
      (payment.currency !== undefined && payment.currency !== event.currency);
    if (!differs) return undefined;
    return {
      received: { provider: payment.provider, amountMinor: payment.amountMinor, currency: payment.currency, transactionId: payment.transactionId },
      expected: { provider: registration.provider, amountMinor: Number(event.priceMinor), currency: event.currency },
      at: this.clock().toISOString(),
    };
  }
}

export function describePayment(payment: PaymentEvent): string {
  return `${payment.type} from ${payment.provider} for reference ${payment.reference}`;
}
