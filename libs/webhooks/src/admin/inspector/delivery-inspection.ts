import type { ProviderEvent } from '../../events/payment-event';
import { parseStoredDelivery } from '../../events/stored-event';
import type { WebhookProvider } from '../../providers/webhook-provider.interface';
import type { StoredDelivery } from '../../store/inbox-store.interface';

/** A delivery in a list: everything but its raw body and headers. */
export type DeliverySummary = Omit<StoredDelivery, 'rawBody' | 'headers'>;

export function summaryOf(delivery: StoredDelivery): DeliverySummary {
  const { rawBody: _body, headers: _headers, ...summary } = delivery;
  return summary;
}

/** What the inspector shows of one delivery. */
export interface DeliveryInspection {
  delivery: StoredDelivery;
  /** The event as the endpoint's strategy parses the stored body now (not confirmed with the provider). */
  event?: Pick<ProviderEvent, 'provider' | 'id' | 'type' | 'payment' | 'occurredAt'>;
  /** Why there is no `event`: the endpoint is gone, or the strategy refuses the stored body. */
  eventError?: string;
}

/** What a shown header that proves authenticity is replaced by. */
export const HIDDEN_HEADER = '[hidden]';

// Signatures and tokens are not the signing secret, but a page has no reason to show them: they stay
// out of the browser, whatever the strategy redacted at receipt.
const AUTHENTICITY_HEADER = /signature|secret|token|auth|api[-_]?key|hmac|verif/i;

/**
 * The delivery with its authenticity headers hidden and its event parsed again from the stored bytes,
 * as the dispatcher does before running handlers (without the optional confirmation call).
 */
export function inspect(delivery: StoredDelivery, endpoints: readonly WebhookProvider[]): DeliveryInspection {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(delivery.headers)) headers[name] = AUTHENTICITY_HEADER.test(name) ? HIDDEN_HEADER : value;
  const shown = { ...delivery, headers };
  const provider = endpoints.find((endpoint) => endpoint.name === delivery.provider);
  if (!provider) return { delivery: shown, eventError: `Endpoint "${delivery.provider}" is no longer configured.` };
  try {
    const event = parseStoredDelivery(provider, delivery);
    const { provider: name, id, type, payment, occurredAt } = event;
    return { delivery: shown, event: { provider: name, id, type, payment, occurredAt } };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { delivery: shown, eventError: `The ${delivery.provider} strategy cannot parse the stored body: ${reason}` };
  }
}
