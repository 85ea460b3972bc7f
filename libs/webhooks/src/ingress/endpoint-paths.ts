import type { WebhookProvider } from '../providers/webhook-provider.interface';
import { endpointPathsOf, type WebhooksConfig } from '../webhooks.options';

/**
 * Finds the endpoint a raw request path belongs to, before Nest's router has run (body parsing,
 * platform errors). Matched by suffix, so the app's global prefix (`/api/webhooks/stripe`) needs no
 * configuring; a last segment after an endpoint path is its URL token.
 */
export class EndpointPaths {
  private readonly paths: Array<{ path: string; provider: WebhookProvider }>;

  constructor(config: WebhooksConfig) {
    this.paths = config.endpoints.flatMap((provider) => endpointPathsOf(config.prefix, provider).map((path) => ({ path: path.replace(/\/$/, ''), provider })));
  }

  match(path: string): { provider: WebhookProvider; pathToken?: string } | undefined {
    const trimmed = path.split('?')[0].replace(/\/$/, '');
    const exact = this.paths.find(({ path: own }) => trimmed.endsWith(own));
    if (exact) return { provider: exact.provider };
    const slash = trimmed.lastIndexOf('/');
    const withToken = this.paths.find(({ path: own }) => trimmed.slice(0, slash).endsWith(own));
    return withToken && { provider: withToken.provider, pathToken: safeDecode(trimmed.slice(slash + 1)) };
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
