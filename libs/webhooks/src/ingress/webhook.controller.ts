import { Controller, Inject, Req, RequestMethod, RequestMapping, Res, SetMetadata, UseGuards, VERSION_NEUTRAL, type Type } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { NotInApiDocs } from '../not-in-api-docs.decorator';
import type { WebhookProvider } from '../providers/webhook-provider.interface';
import { WEBHOOK_ALLOWED_METHODS_METADATA, WEBHOOKS_CONFIG } from '../webhooks.constants';
import { endpointPathsOf, WebhooksConfigError, type WebhooksConfig } from '../webhooks.options';
import { MethodNotAllowedGuard } from './method-not-allowed.guard';
import { endpointMetadata } from './webhook-endpoint.decorator';
import { WebhookIngress, type WebhookReceipt } from './webhook-ingress.service';
import { storeVerifiedDelivery } from './webhook-receipt';
import { WebhookSignatureGuard } from './webhook-signature.guard';

const VERBS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * The controller of the configured endpoints, one class per module import. Its routes come from the
 * resolved options (so `forRootAsync` can set paths too): Nest instantiates controllers before it maps
 * routes, so the constructor declares them with Nest's own decorators. Each endpoint path answers its
 * provider's methods like a `@WebhookEndpoint()` route, and 405 to the others. The guards sit on the
 * class: Nest registers enhancers when it scans modules, before any option exists. The route handler
 * stores what the guard verified itself, where `@WebhookEndpoint()` needs an interceptor to run the
 * route's own method after it: one layer (and its per-request cost) fewer on the hot path.
 */
export function createWebhookController(): Type<unknown> {
  @Controller({ version: VERSION_NEUTRAL })
  @UseGuards(MethodNotAllowedGuard, WebhookSignatureGuard)
  class WebhookController {
    constructor(
      @Inject(WEBHOOKS_CONFIG) config: WebhooksConfig,
      private readonly adapterHost: HttpAdapterHost,
      private readonly ingress: WebhookIngress,
    ) {
      assertTrailingSlashesServed(config, adapterHost);
      for (const endpoint of config.endpoints) declareRoutes(WebhookController.prototype, config, endpoint);
    }

    receive(request: object, response: object): Promise<WebhookReceipt> {
      return storeVerifiedDelivery(this.ingress, this.adapterHost.httpAdapter, request, response);
    }
  }
  return WebhookController;
}

function declareRoutes(prototype: object, config: WebhooksConfig, endpoint: WebhookProvider): void {
  const allowed = methodsOf(endpoint);
  const paths = endpointPathsOf(config.prefix, endpoint);
  // The second form carries a URL token as its last segment (`/webhooks/mvola/<token>`).
  const withToken = paths.flatMap((path) => [path, `${path.replace(/\/$/, '')}/:token`]);
  for (const verb of VERBS) {
    const key = `${endpoint.name} ${verb}`;
    if (Object.prototype.hasOwnProperty.call(prototype, key)) continue;
    const receives = allowed.includes(verb);
    // Each route needs its own function: Nest reads a route's metadata off it.
    const value = receives
      ? function receive(this: { receive(request: object, response: object): Promise<WebhookReceipt> }, request: object, response: object) {
          return this.receive(request, response);
        }
      : function methodNotAllowed(): void {};
    const descriptor: PropertyDescriptor = { value, configurable: true, writable: true };
    Object.defineProperty(prototype, key, descriptor);
    if (receives) {
      Req()(prototype, key, 0);
      Res({ passthrough: true })(prototype, key, 1);
    }
    const decorators = receives
      ? [RequestMapping({ path: withToken, method: RequestMethod[verb] }), endpointMetadata(endpoint.name), ...config.decorators]
      : [
          RequestMapping({ path: paths, method: RequestMethod[verb] }),
          SetMetadata(WEBHOOK_ALLOWED_METHODS_METADATA, allowed),
          NotInApiDocs(),
        ];
    for (const decorate of decorators) decorate(prototype, key, descriptor);
    const enhancers = ENHANCER_METADATA.filter((metadata) => Reflect.hasMetadata(metadata, descriptor.value));
    if (enhancers.length > 0) {
      // Nest would skip them silently: it registers enhancers when it scans modules, before options exist.
      throw new WebhooksConfigError([`decorators: only metadata decorators (SetMetadata, e.g. Public() or SkipThrottle()) can be added to endpoint routes; apply guards, interceptors, pipes and filters globally`]);
    }
  }
}

// Nest's metadata keys of UseGuards, UseInterceptors, UsePipes and UseFilters (public values, not exported from the package root).
const ENHANCER_METADATA = ['__guards__', '__interceptors__', '__pipes__', '__exceptionFilters__'];

/**
 * Nest maps `/hook/` as `/hook`; Express matches both, Fastify only when told to. A dashboard URL
 * with a trailing slash would get 404 forever, so say so at start-up.
 */
function assertTrailingSlashesServed(config: WebhooksConfig, adapterHost: HttpAdapterHost): void {
  const adapter = adapterHost.httpAdapter;
  if (adapter?.getType() !== 'fastify') return;
  const { initialConfig } = adapter.getInstance<{ initialConfig: { ignoreTrailingSlash?: boolean; routerOptions?: { ignoreTrailingSlash?: boolean } } }>();
  if (initialConfig.ignoreTrailingSlash || initialConfig.routerOptions?.ignoreTrailingSlash) return;
  const problems = config.endpoints.flatMap((endpoint, index) =>
    (endpoint.paths ?? [])
      .filter((path) => path.length > 1 && path.endsWith('/'))
      .map((path) => `endpoints[${index}].path: "${path}" ends with a slash, which Fastify matches only with new FastifyAdapter({ routerOptions: { ignoreTrailingSlash: true } })`),
  );
  if (problems.length > 0) throw new WebhooksConfigError(problems);
}

export function methodsOf(provider: WebhookProvider): string[] {
  return (provider.methods?.length ? provider.methods : ['POST']).map((method) => method.toUpperCase());
}
