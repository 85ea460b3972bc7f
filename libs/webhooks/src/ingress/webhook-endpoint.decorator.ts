import { applyDecorators, HttpCode, SetMetadata, UseGuards, UseInterceptors } from '@nestjs/common';
import { NotInApiDocs } from '../not-in-api-docs.decorator';
import { WEBHOOK_ENDPOINT_METADATA } from '../webhooks.constants';
import { WebhookReceiptInterceptor } from './webhook-receipt.interceptor';
import { WebhookSignatureGuard } from './webhook-signature.guard';

const ENDPOINT_NAME = /^[a-z0-9][a-z0-9._-]*$/i;

/**
 * Makes a route of yours receive one configured endpoint's deliveries (a URL already registered in a
 * provider's dashboard): `WebhookSignatureGuard` verifies it on the raw body, it is stored before the
 * answer, and the route answers 200 `{ received, id, duplicate }` like the module's own endpoints.
 * The method body runs after the delivery is stored; its return value is not sent.
 *
 * @example
 * ＠Post('legacy/stripe-hook') ＠WebhookEndpoint('stripe') received(): void {}
 */
export function WebhookEndpoint(name: string): MethodDecorator {
  if (typeof name !== 'string' || !ENDPOINT_NAME.test(name)) {
    throw new TypeError(`@WebhookEndpoint(name): pass the name of an endpoint configured in WebhooksModule, e.g. @WebhookEndpoint('stripe'); got ${JSON.stringify(name)}`);
  }
  return applyDecorators(endpointMetadata(name), UseGuards(WebhookSignatureGuard), UseInterceptors(WebhookReceiptInterceptor));
}

/** What marks a route as one endpoint's, without its enhancers (the module's controller has them on the class). Providers call it, people don't: it stays out of API docs. */
export function endpointMetadata(name: string): MethodDecorator {
  return applyDecorators(SetMetadata(WEBHOOK_ENDPOINT_METADATA, name), NotInApiDocs(), HttpCode(200));
}
