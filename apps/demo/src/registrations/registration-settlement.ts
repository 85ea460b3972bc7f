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
    const result = await this.completionOf(manager, registration, payment, event ?? (await manager.findOneByOrFail(EventEntity, { id: registration.eventId })));
    if (result === 'paid') await this.markPaid(manager, [{ registration, payment }]);
    return result;
  }

  /**
   * `complete` for many payments in one transaction, the PAID ones written in one statement. In
   * order: a registration paid earlier in the list is PAID for the later ones.
   */
  async completeMany(manager: EntityManager, items: ReadonlyArray<{ registration: RegistrationEntity; payment: PaymentEvent; event: EventEntity }>): Promise<CompletionResult[]> {
    const results: CompletionResult[] = [];
    const paid: Array<{ registration: RegistrationEntity; payment: PaymentEvent }> = [];
    for (const { registration, payment, event } of items) {
      const result = await this.completionOf(manager, registration, payment, event);
      if (result === 'paid') {
        paid.push({ registration, payment });
        registration.status = 'PAID';
      }
      results.push(result);
    }
    if (paid.length > 0) await this.markPaid(manager, paid);
    return results;
  }

  /** What a completed payment does to the registration; writes all but the move to PAID itself. */
  private async completionOf(manager: EntityManager, registration: RegistrationEntity, payment: PaymentEvent, event: EventEntity): Promise<CompletionResult> {
    if (registration.status === 'PAID' || registration.status === 'REFUNDED') {
      this.logger.log(`Registration ${registration.id} stays ${registration.status}: ${describePayment(payment)} changes nothing.`);
      return 'unchanged';
    }
    const issue = this.mismatchOf(registration, payment, event);
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
    return 'paid';
  }

  /** One UPDATE for them all; each keeps its own payment's transaction id. */
  private async markPaid(manager: EntityManager, paid: ReadonlyArray<{ registration: RegistrationEntity; payment: PaymentEvent }>): Promise<void> {
    const now = this.clock();
    const parameters: Record<string, string | null> = {};
    const cases = paid.map(({ registration, payment }, index) => {
      parameters[`id${index}`] = registration.id;
      parameters[`tx${index}`] = payment.transactionId ?? null;
      return `WHEN :id${index} THEN :tx${index}`;
    });
    await manager
      .createQueryBuilder()
      .update(RegistrationEntity)
      .set({ status: 'PAID', paidAt: now, updatedAt: now, paymentTransactionId: () => `CASE id ${cases.join(' ')} END` })
      .where('id IN (:...ids)', { ids: paid.map(({ registration }) => registration.id) })
      .setParameters(parameters)
      .execute();
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
