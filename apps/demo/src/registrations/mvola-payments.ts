import { BadGatewayException, BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import { MvolaApiError, WebhookDeliveries } from 'nestjs-payment-webhooks';
import { DEMO_CONFIG, type DemoConfig } from '../demo.config';
import type { EventEntity } from '../events/event.entity';
import { releaseSeat } from '../events/event-seats';
import { rowLock } from '../database/row-lock';
import { PaymentProviders } from '../payment-providers';
import { RegistrationEntity } from './registration.entity';

/** Starts MVola merchant payments for registrations: MVola then asks the payer to approve on their phone. */
@Injectable()
export class MvolaPayments {
  private readonly logger = new Logger('MvolaPayments');

  constructor(
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
    private readonly providers: PaymentProviders,
    private readonly deliveries: WebhookDeliveries,
  ) {}

  /** True when this registration's payment is started by the demo: MVola is mounted and a phone is given. */
  applies(provider: string, phone: string | undefined): boolean {
    return this.providers.mvola !== undefined && provider === this.providers.mvola.name && phone !== undefined;
  }

  /** MVola moves whole Ariary only. */
  checkPayable(event: EventEntity): void {
    if (event.currency !== 'MGA' || event.priceMinor <= 0) {
      throw new BadRequestException([
        `provider mvola charges Ariary only: event ${event.id} costs ${event.priceMinor} ${event.currency}; choose another provider, or an MGA event with a price above 0`,
      ]);
    }
  }

  /**
   * Asks MVola to charge the registration (X-CorrelationID = its reference) and keeps MVola's
   * serverCorrelationId. When MVola refuses or cannot be reached, the seat is given back and the
   * caller gets a 502 saying so.
   */
  async start(registration: RegistrationEntity, event: EventEntity): Promise<void> {
    const mvola = this.providers.mvola!;
    // The token authenticates MVola's callback: it is in the URL, so this URL is never logged.
    const callbackUrl = `${this.config.publicUrl}/webhooks/${mvola.name}?token=${encodeURIComponent(this.config.mvolaCallbackTokens[0])}`;
    let serverCorrelationId: string;
    try {
      ({ serverCorrelationId } = await mvola.client.initiateMerchantPayment({
        reference: registration.reference,
        callbackUrl,
        amount: event.priceMinor,
        phone: registration.phone!,
        description: `Seat ${event.title}`,
      }));
    } catch (error) {
      const reason = error instanceof MvolaApiError ? error.message : 'MVola could not be reached.';
      this.logger.warn(`Registration ${registration.id}: MVola did not start the payment: ${reason}`);
      await this.giveUp(registration);
      throw new BadGatewayException(`MVola could not start the payment (${reason}). The seat was released; register again later.`);
    }
    registration.mvolaServerCorrelationId = serverCorrelationId;
    await this.deliveries.transaction((manager) =>
      manager.update(RegistrationEntity, { id: registration.id }, { mvolaServerCorrelationId: serverCorrelationId, updatedAt: new Date() }),
    );
  }

  /** FAILED and the seat back, unless a callback already moved it on (MVola may have started it after all). */
  private async giveUp(registration: RegistrationEntity): Promise<void> {
    await this.deliveries.transaction(async (manager) => {
      const current = await manager.findOne(RegistrationEntity, { where: { id: registration.id }, lock: rowLock(manager) });
      if (current?.status !== 'PENDING') return;
      await manager.update(RegistrationEntity, { id: registration.id }, { status: 'FAILED', updatedAt: new Date() });
      await releaseSeat(manager, registration.eventId);
    });
    registration.status = 'FAILED';
  }
}
