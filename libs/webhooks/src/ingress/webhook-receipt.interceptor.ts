import { HttpException, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { catchError, from, map, mergeMap, throwError, type Observable } from 'rxjs';
import { VERIFIED_DELIVERY } from '../webhooks.constants';
import { WebhookIngress, type VerifiedDelivery, type WebhookReceipt } from './webhook-ingress.service';

const RETRY_AFTER_SECONDS = 5;

/**
 * Stores the delivery the guard verified, before anything answers 2xx, then runs the route's own
 * method and answers the receipt: `{ received, id, duplicate }`, whatever the method returns.
 */
@Injectable()
export class WebhookReceiptInterceptor implements NestInterceptor {
  constructor(
    private readonly ingress: WebhookIngress,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<WebhookReceipt> {
    const delivery = context.switchToHttp().getRequest<{ [VERIFIED_DELIVERY]?: VerifiedDelivery }>()[VERIFIED_DELIVERY];
    if (!delivery) throw new Error('WebhookReceiptInterceptor runs after WebhookSignatureGuard; use @WebhookEndpoint(name), which applies both.');
    const stored = from(this.ingress.store(delivery)).pipe(
      catchError((error: unknown) => {
        // Not stored: the provider must retry; tell it when, rather than let it guess.
        if (error instanceof HttpException && error.getStatus() === 503) {
          this.adapterHost.httpAdapter.setHeader(context.switchToHttp().getResponse(), 'Retry-After', String(RETRY_AFTER_SECONDS));
        }
        return throwError(() => error);
      }),
    );
    return stored.pipe(mergeMap((receipt) => next.handle().pipe(map(() => receipt))));
  }
}
