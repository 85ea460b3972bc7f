import { integerMinor, normalizeCurrency } from 'nestjs-payment-webhooks';
import type { RegistrationEntity } from '../registrations/registration.entity';
import { getJson, isRecord, NoJsonAnswerError } from './http-json';
import type { PaymentStatusSource } from './payment-status-source';
import type { ProviderAnswer } from './provider-answer';

// The statuses FeexPay's look-up answers (PROVIDERS.md), as the library's confirmation reads them.
const STATUS_KINDS: Readonly<Record<string, ProviderAnswer['kind']>> = {
  SUCCESSFUL: 'paid',
  SUCCESS: 'paid',
  FAILED: 'failed',
  INSUFFICIENT_FUNDS: 'failed',
  TIMEOUT: 'failed',
  PENDING: 'pending',
};

/**
 * FeexPay's status look-up by reference (`GET /api/transactions/getrequesttopay/integration/{reference}`,
 * bearer token). The library's `feexpay({ confirm })` asks the same URL but exports no client for it.
 */
export class FeexpayStatusClient implements PaymentStatusSource {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async statusOf(registration: RegistrationEntity, signal: AbortSignal): Promise<ProviderAnswer> {
    const url = `${this.baseUrl}/api/transactions/getrequesttopay/integration/${encodeURIComponent(registration.reference)}`;
    let status: number;
    let body: unknown;
    try {
      ({ status, body } = await getJson(url, { authorization: `Bearer ${this.token}` }, signal));
    } catch (error) {
      if (error instanceof NoJsonAnswerError) return { kind: 'unreachable', said: `FeexPay ${error.message}` };
      throw error;
    }
    if (status === 404) return { kind: 'not-found', said: `FeexPay knows no payment ${registration.reference} (HTTP 404)` };
    if (status < 200 || status >= 300) {
      const hint = status === 401 || status === 403 ? ': check FEEXPAY_API_TOKEN' : '';
      return { kind: 'unreachable', said: `FeexPay answered HTTP ${status}${hint}` };
    }
    const answer = isRecord(body) ? body : {};
    const said = typeof answer.status === 'string' ? answer.status.trim().toUpperCase() : undefined;
    const kind = said === undefined ? undefined : STATUS_KINDS[said];
    if (said === undefined || kind === undefined) {
      return { kind: 'unreachable', said: `FeexPay answered an unknown status ${JSON.stringify(answer.status ?? null)}` };
    }
    if (kind !== 'paid') return { kind, said: `FeexPay says "${said}"` } as ProviderAnswer;
    let amountMinor: number | undefined;
    try {
      // FCFA has no minor unit: the amount is already in minor units.
      amountMinor = answer.amount === undefined || answer.amount === null ? undefined : integerMinor(answer.amount);
    } catch {
      return { kind: 'unreachable', said: `FeexPay says "${said}" with an amount it cannot read (${JSON.stringify(answer.amount)})` };
    }
    const transactionId = answer.transaction_id ?? answer.id;
    return {
      kind: 'paid',
      said: `FeexPay says "${said}"`,
      transactionId: typeof transactionId === 'string' || typeof transactionId === 'number' ? String(transactionId) : undefined,
      amountMinor,
      currency: normalizeCurrency(answer.currency),
    };
  }
}
