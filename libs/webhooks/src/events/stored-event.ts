import type { WebhookProvider } from '../providers/webhook-provider.interface';
import type { StoredDelivery } from '../store/inbox-store.interface';
import type { ProviderEvent } from './payment-event';

/** The event of a stored delivery, parsed again from its exact bytes and headers (strategies are pure). */
export function parseStoredDelivery(provider: WebhookProvider, delivery: StoredDelivery): ProviderEvent {
  return provider.parse({
    method: 'POST',
    path: '',
    headers: delivery.headers,
    query: {},
    rawBody: Buffer.from(delivery.rawBody, 'utf8'),
    ip: '',
    receivedAt: delivery.receivedAt,
  });
}
