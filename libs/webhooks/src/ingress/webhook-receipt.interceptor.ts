import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { from, map, mergeMap, type Observable } from 'rxjs';
import { VERIFIED_DELIVERY } from '../webhooks.constants';
import { WebhookIngress, type VerifiedDelivery, type WebhookReceipt } from './webhook-ingress.service';

/**
 * Stores the delivery the guard verified, before anything answers 2xx, then runs the route's own
 * method and answers the receipt: `{ received, id, duplicate }`, whatever the method returns.
 */
@Injectable()
export class WebhookReceiptInterceptor implements NestInterceptor {
  constructor(private readonly ingress: WebhookIngress) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<WebhookReceipt> {
    const delivery = context.switchToHttp().getRequest<{ [VERIFIED_DELIVERY]?: VerifiedDelivery }>()[VERIFIED_DELIVERY];
    if (!delivery) throw new Error('WebhookReceiptInterceptor runs after WebhookSignatureGuard; use @WebhookEndpoint(name), which applies both.');
    return from(this.ingress.store(delivery)).pipe(mergeMap((receipt) => next.handle().pipe(map(() => receipt))));
  }
}
