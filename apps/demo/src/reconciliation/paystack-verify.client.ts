import { integerMinor } from 'nestjs-payment-webhooks';
import type { RegistrationEntity } from '../registrations/registration.entity';
import { getJson, isRecord, NoJsonAnswerError } from './http-json';
import type { PaymentStatusSource } from './payment-status-source';
import type { ProviderAnswer } from './provider-answer';

// Paystack's transaction statuses → what they mean for a seat. `abandoned` is a checkout not (yet) paid.
const STATUS_KINDS: Readonly<Record<string, ProviderAnswer['kind']>> = {
  success: 'paid',
  failed: 'failed',
  reversed: 'failed',
  abandoned: 'pending',
  ongoing: 'pending',
  pending: 'pending',
  processing: 'pending',
  queued: 'pending',
};

/** Paystack's `GET /transaction/verify/:reference`, with the secret key as bearer token. */
export class PaystackVerifyClient implements PaymentStatusSource {
  constructor(
    private readonly baseUrl: string,
    private readonly secretKey: string,
  ) {}

  async statusOf(registration: RegistrationEntity, signal: AbortSignal): Promise<ProviderAnswer> {
    const url = `${this.baseUrl}/transaction/verify/${encodeURIComponent(registration.reference)}`;
    let status: number;
    let body: unknown;
    try {
      ({ status, body } = await getJson(url, { authorization: `Bearer ${this.secretKey}` }, signal));
    } catch (error) {
      if (error instanceof NoJsonAnswerError) return { kind: 'unreachable', said: `Paystack ${error.message}` };
      throw error;
    }
    const answer = isRecord(body) ? body : {};
    // An unknown reference: 404, or 400 with Paystack's error code (its message wording may change).
    if (status === 404 || (status === 400 && answer.code === 'transaction_not_found')) {
      return { kind: 'not-found', said: `Paystack knows no transaction ${registration.reference} (HTTP ${status})` };
    }
    if (status < 200 || status >= 300) {
      const hint = status === 401 || status === 403 ? ': check PAYSTACK_SECRET_KEY' : '';
      return { kind: 'unreachable', said: `Paystack answered HTTP ${status}${hint}` };
    }
    const data = isRecord(answer.data) ? answer.data : {};
    const said = typeof data.status === 'string' ? data.status.toLowerCase() : undefined;
    const kind = said === undefined ? undefined : STATUS_KINDS[said];
    if (said === undefined || kind === undefined) {
      return { kind: 'unreachable', said: `Paystack answered an unknown status ${JSON.stringify(data.status ?? null)}` };
    }
    if (kind !== 'paid') return { kind, said: `Paystack says "${said}"` } as ProviderAnswer;
    let amountMinor: number | undefined;
    try {
      amountMinor = data.amount === undefined || data.amount === null ? undefined : integerMinor(data.amount);
    } catch {
      return { kind: 'unreachable', said: `Paystack says "success" with an amount it cannot read (${JSON.stringify(data.amount)})` };
    }
    return {
      kind: 'paid',
      said: `Paystack says "success"`,
      transactionId: data.id === undefined || data.id === null ? undefined : String(data.id),
      amountMinor,
      currency: typeof data.currency === 'string' ? data.currency.toUpperCase() : undefined,
    };
  }
}
