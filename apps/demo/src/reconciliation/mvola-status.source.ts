import { MvolaApiError, type MvolaApiClient } from 'nestjs-payment-webhooks';
import type { RegistrationEntity } from '../registrations/registration.entity';
import type { PaymentStatusSource } from './payment-status-source';
import type { ProviderAnswer } from './provider-answer';

// MVola's statuses (PROVIDERS.md); the library maps them the same way but does not export its table.
const STATUS_KINDS: Readonly<Record<string, ProviderAnswer['kind']>> = {
  completed: 'paid',
  failed: 'failed',
  rejected: 'failed',
  cancelled: 'failed',
  pending: 'pending',
};

/** MVola's status look-up for the merchant payment the demo started (its `serverCorrelationId`), with the library's client. */
export class MvolaStatusSource implements PaymentStatusSource {
  constructor(private readonly client: MvolaApiClient) {}

  async statusOf(registration: RegistrationEntity): Promise<ProviderAnswer> {
    const id = registration.mvolaServerCorrelationId;
    // The payment was never started at MVola (it refused, or the demo stopped before keeping MVola's id).
    if (!id) return { kind: 'not-found', said: 'MVola was never asked to charge it (no serverCorrelationId)' };
    try {
      const { status, objectReference } = await this.client.transactionStatus(id);
      const kind = STATUS_KINDS[status];
      if (kind === undefined) return { kind: 'unreachable', said: `MVola answered an unknown status ${JSON.stringify(status)}` };
      if (kind !== 'paid') return { kind, said: `MVola says "${status}"` } as ProviderAnswer;
      // No amount in MVola's answer: the demo started this payment itself, for the price.
      return { kind: 'paid', said: `MVola says "${status}"`, transactionId: objectReference };
    } catch (error) {
      if (!(error instanceof MvolaApiError)) throw error;
      if (error.failure === 'http' && error.status === 404) return { kind: 'not-found', said: `MVola knows no transaction ${id} (HTTP 404)` };
      // The client's message names the call and MVola's answer, never a credential.
      return { kind: 'unreachable', said: error.message.replace(/\.$/, '') };
    }
  }
}
