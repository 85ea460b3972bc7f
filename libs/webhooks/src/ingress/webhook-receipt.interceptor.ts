import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { from, map, mergeMap, type Observable } from 'rxjs';
import { WebhookIngress, type WebhookReceipt } from './webhook-ingress.service';
import { storeVerifiedDelivery } from './webhook-receipt';

/**
 * `@WebhookEndpoint()`'s: stores the delivery the guard verified, before anything answers 2xx, then
 * runs the route's own method and answers the receipt, `{ received, id, duplicate }`, whatever the
 * method returns. (The module's own endpoints store in their route handler: no interceptor to run.)
 */
@Injectable()
export class WebhookReceiptInterceptor implements NestInterceptor {
  constructor(
    private readonly ingress: WebhookIngress,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<WebhookReceipt> {
    const http = context.switchToHttp();
    const stored = from(storeVerifiedDelivery(this.ingress, this.adapterHost.httpAdapter, http.getRequest<object>(), http.getResponse<object>()));
    return stored.pipe(mergeMap((receipt) => next.handle().pipe(map(() => receipt))));
  }
}
