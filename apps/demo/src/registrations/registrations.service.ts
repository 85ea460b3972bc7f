import { randomUUID } from 'node:crypto';
import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { WebhookDeliveries } from 'nestjs-payment-webhooks';
import type { Repository } from 'typeorm';
import { DEMO_CLOCK } from '../demo.config';
import { EventEntity } from '../events/event.entity';
import { takeSeat } from '../events/event-seats';
import { PaymentProviders } from '../payment-providers';
import type { CreateRegistrationDto } from './create-registration.dto';
import { MvolaPayments } from './mvola-payments';
import { RegistrationEntity } from './registration.entity';
import { newRegistrationReference } from './registration-reference';

@Injectable()
export class RegistrationsService {
  constructor(
    @InjectRepository(RegistrationEntity) private readonly registrations: Repository<RegistrationEntity>,
    private readonly deliveries: WebhookDeliveries,
    private readonly providers: PaymentProviders,
    private readonly mvolaPayments: MvolaPayments,
    @Inject(DEMO_CLOCK) private readonly clock: () => Date,
  ) {}

  /**
   * Holds a seat and records a PENDING registration, in one transaction. Its payment arrives later
   * by webhook; with MVola and a phone number, the demo starts that payment itself.
   */
  async register(eventId: string, dto: CreateRegistrationDto): Promise<RegistrationEntity> {
    if (!this.providers.has(dto.provider)) {
      throw new BadRequestException([`provider must be one of the providers this demo serves: ${this.providers.names.join(', ')}`]);
    }
    // MVola's payment is started here, on the payer's phone: without one it could never be paid, and would hold a seat.
    if (this.providers.mvola && dto.provider === this.providers.mvola.name && dto.phone === undefined) {
      throw new BadRequestException(["phone is required with provider mvola: the demo asks MVola to charge that number (e.g. 0343500003)"]);
    }
    const startsMvolaPayment = this.mvolaPayments.applies(dto.provider, dto.phone);
    // Through the inbox's transactions: on SQLite they take turns with the library's on one connection.
    const { registration, event } = await this.deliveries.transaction(async (manager) => {
      const event = await manager.findOneBy(EventEntity, { id: eventId });
      if (!event) throw new NotFoundException(`No event ${eventId}; create one with POST /events.`);
      if (startsMvolaPayment) this.mvolaPayments.checkPayable(event);
      if (!(await takeSeat(manager, eventId))) throw new ConflictException(`Event ${eventId} is full: no seat left.`);
      // Reconciliation measures a registration's age from here, on the same clock.
      const now = this.clock();
      const registration = Object.assign(new RegistrationEntity(), {
        id: randomUUID(),
        eventId,
        email: dto.email,
        provider: dto.provider,
        phone: dto.phone ?? null,
        status: 'PENDING',
        reference: newRegistrationReference(),
        paymentTransactionId: null,
        mvolaServerCorrelationId: null,
        createdAt: now,
        updatedAt: now,
        paidAt: null,
        paymentIssue: null,
        reconcileCheckedAt: null,
        reconcileOutcome: null,
        reconcileDetail: null,
        reconcileChecks: 0,
        reconcileNextAt: null,
      } satisfies RegistrationEntity);
      await manager.insert(RegistrationEntity, registration);
      return { registration, event };
    });
    // Outside the transaction: a slow MVola must not hold the database.
    if (startsMvolaPayment) await this.mvolaPayments.start(registration, event);
    return registration;
  }

  async get(id: string): Promise<RegistrationEntity> {
    const registration = await this.registrations.findOneBy({ id });
    if (!registration) throw new NotFoundException(`No registration ${id}.`);
    return registration;
  }
}
