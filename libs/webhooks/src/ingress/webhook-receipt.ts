import { HttpException, type HttpServer } from '@nestjs/common';
import { VERIFIED_DELIVERY } from '../webhooks.constants';
import type { VerifiedDelivery, WebhookIngress, WebhookReceipt } from './webhook-ingress.service';

const RETRY_AFTER_SECONDS = 5;

/**
 * Stores the delivery `WebhookSignatureGuard` left on the request and returns its receipt
 * (`{ received, id, duplicate }`). Not stored (503): the provider must retry, and is told when
 * rather than left to guess.
 */
export async function storeVerifiedDelivery(ingress: WebhookIngress, httpAdapter: HttpServer, request: object, response: object): Promise<WebhookReceipt> {
  const delivery = (request as { [VERIFIED_DELIVERY]?: VerifiedDelivery })[VERIFIED_DELIVERY];
  if (!delivery) throw new Error('A webhook receipt is stored after WebhookSignatureGuard; use @WebhookEndpoint(name), which applies both.');
  try {
    return await ingress.store(delivery);
  } catch (error) {
    if (error instanceof HttpException && error.getStatus() === 503) httpAdapter.setHeader(response, 'Retry-After', String(RETRY_AFTER_SECONDS));
    throw error;
  }
}
