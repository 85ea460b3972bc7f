import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { VERIFIED_DELIVERY, WEBHOOK_ENDPOINT_METADATA } from '../webhooks.constants';
import { WebhookIngress, type VerifiedDelivery } from './webhook-ingress.service';
import { toIngressRequest, type PlatformRequest } from './webhook-request';

/**
 * The raw-body guard: admits a request only if it is a genuine delivery of the route's endpoint.
 * It applies the endpoint's IP allow-list (403), content type (415) and size (413), verifies the
 * signature or token on `req.rawBody` (401/400) and parses it (400). The verified delivery is left
 * on the request for the receipt interceptor, which stores it.
 */
@Injectable()
export class WebhookSignatureGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly ingress: WebhookIngress,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const name = this.reflector.get<string | undefined>(WEBHOOK_ENDPOINT_METADATA, context.getHandler());
    const provider = name === undefined ? undefined : this.ingress.endpoint(name);
    // The explorer checks every @WebhookEndpoint() name at start-up, so this is a programming error.
    if (!provider) throw new Error(`WebhookSignatureGuard guards a route with no configured endpoint ("${name}"); use @WebhookEndpoint(name).`);
    const request = context.switchToHttp().getRequest<PlatformRequest & { [VERIFIED_DELIVERY]?: VerifiedDelivery }>();
    request[VERIFIED_DELIVERY] = this.ingress.verify(provider, toIngressRequest(request));
    return true;
  }
}
