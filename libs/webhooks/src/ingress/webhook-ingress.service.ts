import { Inject, Injectable, Logger } from '@nestjs/common';
import { WebhookPayloadError } from '../errors/webhook-payload.error';
import { WebhookVerificationError } from '../errors/webhook-verification.error';
import type { RefusalReason } from '../errors/refusal-reason';
import type { ProviderEvent } from '../events/payment-event';
import type { WebhookInboxStore } from '../store/inbox-store.interface';
import type { RawWebhookRequest, WebhookProvider } from '../providers/webhook-provider.interface';
import { WEBHOOK_INBOX_STORE, WEBHOOKS_CONFIG } from '../webhooks.constants';
import type { WebhooksConfig } from '../webhooks.options';
import { errorResponse, statusOf, type IngressResponse } from './ingress-response';
import { IpAllowList } from './ip-allow-list';
import { WebhookMonitor } from '../monitoring/webhook-monitor';

/** A delivery as the platform binding hands it over: exact bytes, lower-case headers. */
export interface IngressRequest extends Omit<RawWebhookRequest, 'receivedAt'> {
  /** Set when the body was larger than `bodyLimit` (the bytes were not kept). */
  tooLarge?: boolean;
  /** Set when the body could not be read (aborted upload, broken framing). */
  unreadable?: boolean;
}

const MAX_EVENT_ID_LENGTH = 255;
const REDACTED_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/**
 * Turns one HTTP delivery into a stored inbox row, or into a 4xx with one refusal reason.
 * Order matters: cheap checks first, the signature before any parsing, the store before the 200.
 */
@Injectable()
export class WebhookIngress {
  private readonly logger = new Logger('Webhooks');
  private readonly allowLists = new Map<string, IpAllowList>();
  /** Called after a new delivery is stored, to start processing without waiting for the next poll. */
  onStored?: () => void;

  constructor(
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
    @Inject(WEBHOOK_INBOX_STORE) private readonly store: WebhookInboxStore,
    private readonly monitor: WebhookMonitor,
  ) {
    for (const provider of config.providers) {
      if (provider.allowIps?.length) this.allowLists.set(provider.name, new IpAllowList(provider.allowIps));
    }
  }

  async handle(provider: WebhookProvider | undefined, request: IngressRequest): Promise<IngressResponse> {
    const receivedAt = this.config.clock();
    const refuse = (reason: RefusalReason, message: string) => {
      const status = statusOf(reason);
      this.monitor.refused({ reason, status, endpoint: provider?.name, path: request.path, ip: request.ip, at: receivedAt });
      this.logger.warn(`Refused ${request.method} ${request.path} from ${request.ip}: ${reason}`);
      return errorResponse(status, message, reason);
    };

    if (!provider) return refuse('unknown-endpoint', `No webhook endpoint is configured at ${request.path}.`);
    const allowList = this.allowLists.get(provider.name);
    if (allowList && !allowList.allows(request.ip)) {
      return refuse('address-not-allowed', `Address ${request.ip} may not call this endpoint; add it to allowIps (behind a proxy, set trust proxy).`);
    }
    if (!isJson(request.headers['content-type'])) {
      return refuse('unsupported-media-type', 'Send the delivery as application/json.');
    }
    if (request.tooLarge) return refuse('too-large', `The body is larger than ${this.config.bodyLimit} bytes.`);
    if (request.unreadable) return refuse('invalid-payload', 'The request body could not be read.');

    const raw: RawWebhookRequest = { ...request, receivedAt };
    let event: ProviderEvent;
    let secretIndex: number | undefined;
    try {
      secretIndex = provider.verify(raw)?.secretIndex;
      event = provider.parse(raw);
    } catch (error) {
      if (error instanceof WebhookVerificationError) return refuse(error.reason, error.message);
      if (error instanceof WebhookPayloadError) return refuse('invalid-payload', error.message);
      // A strategy bug must not become a 500 the provider retries forever; it is logged for the developer.
      this.logger.error(`Endpoint ${provider.name} failed to verify or parse a delivery: ${(error as Error)?.stack ?? error}`);
      return refuse('invalid-payload', 'The delivery could not be read.');
    }
    if (typeof event.id !== 'string' || event.id.length === 0 || event.id.length > MAX_EVENT_ID_LENGTH) {
      return refuse('invalid-payload', `The event id must be 1 to ${MAX_EVENT_ID_LENGTH} characters.`);
    }
    if (secretIndex !== undefined && secretIndex > 0) {
      this.logger.log(`Endpoint ${provider.name}: delivery verified with secret #${secretIndex} (rotation in progress?)`);
    }

    try {
      const stored = await this.store.insertOrFind({
        provider: provider.name,
        eventId: event.id,
        type: event.type,
        rawBody: request.rawBody.toString('utf8'),
        headers: redact(request.headers),
        paymentType: event.payment?.type,
        reference: event.payment?.reference,
        receivedAt,
      });
      if (!stored.duplicate) this.onStored?.();
      return { status: 200, body: { received: true, id: stored.id, duplicate: stored.duplicate } };
    } catch (error) {
      // The only 5xx: nothing was stored, so the provider must retry.
      this.logger.error(`Could not store a delivery of ${provider.name}: ${(error as Error)?.message ?? error}`);
      return errorResponse(503, 'The delivery could not be stored; retry later.');
    }
  }
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

function redact(headers: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !REDACTED_HEADERS.has(name)) kept[name] = value;
  }
  return kept;
}
