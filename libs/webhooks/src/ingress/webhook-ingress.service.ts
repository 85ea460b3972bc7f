import { HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import { WebhookPayloadError } from '../errors/webhook-payload.error';
import { WebhookVerificationError } from '../errors/webhook-verification.error';
import type { RefusalReason } from '../errors/refusal-reason';
import { storageProblem } from '../events/event-limits';
import type { ProviderEvent } from '../events/payment-event';
import type { ClaimedDelivery, NewDelivery, WebhookInboxStore } from '../store/inbox-store.interface';
import type { DeliveryHandoff, HandoffLease } from './delivery-handoff';
import type { RawWebhookRequest, WebhookProvider } from '../providers/webhook-provider.interface';
import { WEBHOOK_INBOX_STORE, WEBHOOKS_CONFIG } from '../webhooks.constants';
import type { WebhooksConfig } from '../webhooks.options';
import { errorResponse, statusOf, type IngressResponse } from './ingress-response';
import { IpAllowList } from './ip-allow-list';
import { WebhookMonitor } from '../monitoring/webhook-monitor';

/** A delivery as the guard hands it over: exact bytes (`undefined` when the app has no raw body), lower-case headers. */
export type IngressRequest = Omit<RawWebhookRequest, 'receivedAt' | 'rawBody'> & { rawBody?: Buffer };

/** A delivery that passed every check, ready to be stored. */
export interface VerifiedDelivery {
  provider: WebhookProvider;
  event: ProviderEvent;
  request: RawWebhookRequest;
  /** The body as the text the inbox stores (checked UTF-8, without NUL). */
  text: string;
}

/** The 2xx body of a stored delivery (DESIGN §3). */
export interface WebhookReceipt {
  received: true;
  id: string;
  duplicate: boolean;
}

// ignoreBOM: a leading byte-order mark is part of the exact bytes, and stays in what is stored.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
/** What a redacted header is stored as: present, so an operator knows it was sent, but never its value. */
export const REDACTED = '[redacted]';
const RAW_BODY_FIX = 'Create the app with NestFactory.create(AppModule, { rawBody: true }): webhook signatures are checked on the exact bytes received.';

/**
 * Turns one HTTP delivery into a stored inbox row, or into a 4xx with one refusal reason.
 * Order matters: cheap checks first, the signature before any parsing, the store before the 200.
 */
@Injectable()
export class WebhookIngress {
  private readonly logger = new Logger('Webhooks');
  private readonly allowLists = new Map<string, IpAllowList>();
  private readonly endpoints: Map<string, WebhookProvider>;
  private readonly credentialHeaders = new Map<string, ReadonlySet<string>>();
  private rawBodyMissingLogged = false;
  private readonly refusalLog = new LogLimit<RefusalReason>((reason, suppressed) =>
    this.logger.warn(`${suppressed} more refusal(s) for ${reason} in the last minute were not logged (metrics and refused$ count them all)`),
  );
  private readonly storeFailureLog = new LogLimit<string>((endpoint, suppressed) =>
    this.logger.error(`${suppressed} more delivery(ies) of ${endpoint} could not be stored in the last minute (each answered 503)`),
  );
  /** This instance's worker, when it runs: what is stored here is processed here first, without a poll. */
  handoff?: DeliveryHandoff;

  constructor(
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
    @Inject(WEBHOOK_INBOX_STORE) private readonly inbox: WebhookInboxStore,
    private readonly monitor: WebhookMonitor,
  ) {
    this.endpoints = new Map(config.endpoints.map((endpoint) => [endpoint.name, endpoint]));
    for (const provider of config.endpoints) {
      if (provider.allowIps?.length) this.allowLists.set(provider.name, new IpAllowList(provider.allowIps));
      this.credentialHeaders.set(provider.name, new Set([...CREDENTIAL_HEADERS, ...(provider.credentialHeaders ?? []).map((name) => name.toLowerCase())]));
    }
  }

  endpoint(name: string): WebhookProvider | undefined {
    return this.endpoints.get(name);
  }

  /** Checks a delivery; throws the HTTP refusal (published to the monitor) when it cannot be trusted. */
  verify(provider: WebhookProvider, request: IngressRequest): VerifiedDelivery {
    const receivedAt = this.config.clock();
    const refuse = (reason: RefusalReason, message: string) => this.refusal(reason, message, request, provider, receivedAt);

    const allowList = this.allowLists.get(provider.name);
    if (allowList && !allowList.allows(request.ip)) {
      throw refuse('address-not-allowed', `Address ${request.ip} may not call this endpoint; add it to allowIps (behind a proxy, set trust proxy).`);
    }
    const mediaType = mediaTypeOf(request.headers['content-type']);
    // Nest keeps the raw body of what its parsers take: application/json always, `+json` types if the app adds a parser.
    if (mediaType !== 'application/json' && !(mediaType.endsWith('+json') && request.rawBody)) {
      throw refuse('unsupported-media-type', 'Send the delivery as application/json.');
    }
    if (!request.rawBody) throw this.rawBodyMissing();
    if (request.rawBody.length > this.config.bodyLimit) throw refuse('too-large', `The body is larger than ${this.config.bodyLimit} bytes.`);

    const raw: RawWebhookRequest = { ...request, rawBody: request.rawBody, receivedAt };
    let event: ProviderEvent;
    let secretIndex: number | undefined;
    try {
      secretIndex = provider.verify(raw)?.secretIndex;
      event = provider.parse(raw);
    } catch (error) {
      if (error instanceof WebhookVerificationError) throw refuse(error.reason, error.message);
      if (error instanceof WebhookPayloadError) throw refuse('invalid-payload', error.message);
      // A strategy bug must not become a 500 the provider retries forever; it is logged for the developer.
      this.logger.error(`Endpoint ${provider.name} failed to verify or parse a delivery: ${(error as Error)?.stack ?? error}`);
      throw refuse('invalid-payload', 'The delivery could not be read.');
    }
    // Verified bytes that the inbox cannot hold as text would fail on every retry: refuse them, naming why.
    const text = storableText(raw.rawBody);
    if (text === undefined) throw refuse('invalid-payload', 'The body must be UTF-8 text without NUL bytes.');
    const problem = storageProblem(event);
    if (problem) throw refuse('invalid-payload', `The event cannot be stored: ${problem}.`);
    if (secretIndex !== undefined && secretIndex > 0) {
      this.logger.log(`Endpoint ${provider.name}: delivery verified with secret #${secretIndex} (rotation in progress?)`);
    }
    return { provider, event, request: raw, text };
  }

  /** Stores a verified delivery; the only 5xx is a store that could not be reached, so the provider retries. */
  async store(delivery: VerifiedDelivery): Promise<WebhookReceipt> {
    const { provider, event, request, text } = delivery;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the store did not answer within ${this.config.storeTimeoutMs} ms`)), this.config.storeTimeoutMs);
    });
    const handoff = this.handoff;
    const lease = handoff?.reserve();
    let settled = false;
    try {
      const row: NewDelivery = {
        provider: provider.name,
        eventId: event.id,
        type: event.type,
        rawBody: text,
        headers: redact(request.headers, this.credentialHeaders.get(provider.name)!),
        paymentType: event.payment?.type,
        reference: event.payment?.reference,
        receivedAt: request.receivedAt,
        lease,
      };
      const stored = await Promise.race([this.inbox.insertOrFind(row), timeout]);
      settled = true;
      handoff?.settle(lease, lease && stored.leased ? { delivery: leasedDelivery(stored.id, row, lease), event } : undefined, !stored.duplicate);
      const durationMs = this.config.clock().getTime() - request.receivedAt.getTime();
      this.monitor.delivery('stored', { deliveryId: stored.id, endpoint: provider.name, type: event.type, attempt: 0, at: request.receivedAt, duplicate: stored.duplicate, durationMs });
      return { received: true, id: stored.id, duplicate: stored.duplicate };
    } catch (error) {
      const message = String((error as Error)?.message ?? error);
      const at = this.config.clock();
      this.monitor.storeFailed({ endpoint: provider.name, eventId: event.id, type: event.type, error: message, at });
      // An outage fails every request: one line per endpoint, not one per request.
      if (this.storeFailureLog.admit(provider.name, at)) this.logger.error(`Could not store a delivery of ${provider.name}: ${message}`);
      throw toHttpException(errorResponse(503, 'The delivery could not be stored; retry later.'));
    } finally {
      clearTimeout(timer);
      // Not stored (or not known to be): the reservation ends; a row that commits later waits for its lease to expire.
      if (!settled) handoff?.settle(lease, undefined, false);
    }
  }

  /** Publishes a refusal and returns the HTTP exception that answers it. */
  refusal(reason: RefusalReason, message: string, request: Pick<IngressRequest, 'method' | 'path' | 'ip' | 'pathToken'>, provider?: WebhookProvider, at = this.config.clock()): HttpException {
    const status = statusOf(reason);
    // A URL token in the last segment may be the valid one: it reaches neither the log nor subscribers.
    const path = request.pathToken ? `${request.path.slice(0, request.path.lastIndexOf('/'))}/<token>` : request.path;
    this.monitor.refused({ reason, status, endpoint: provider?.name, path, ip: request.ip, at });
    if (this.refusalLog.admit(reason, at)) this.logger.warn(`Refused ${request.method} ${path} from ${request.ip}: ${reason}`);
    return toHttpException(errorResponse(status, message, reason));
  }

  private rawBodyMissing(): HttpException {
    // The app's fault, not the sender's: a 500 the provider retries until the app is fixed, logged once.
    if (!this.rawBodyMissingLogged) this.logger.error(`A delivery arrived without its raw body. ${RAW_BODY_FIX}`);
    this.rawBodyMissingLogged = true;
    return toHttpException(errorResponse(500, `The webhook receiver is misconfigured. ${RAW_BODY_FIX}`));
  }
}

/** At most `perMinute` log lines per key: a flood of bad requests, or an outage, must not flood the logs. */
class LogLimit<K extends string> {
  private readonly windows = new Map<K, { start: number; logged: number; suppressed: number }>();

  constructor(
    private readonly onSuppressed: (key: K, suppressed: number) => void,
    private readonly perMinute = 10,
  ) {}

  admit(reason: K, at: Date): boolean {
    const now = at.getTime();
    let window = this.windows.get(reason);
    if (!window || now - window.start >= 60_000) {
      if (window?.suppressed) this.onSuppressed(reason, window.suppressed);
      window = { start: now, logged: 0, suppressed: 0 };
      this.windows.set(reason, window);
    }
    if (window.logged < this.perMinute) {
      window.logged++;
      return true;
    }
    window.suppressed++;
    return false;
  }
}

export function toHttpException(response: IngressResponse): HttpException {
  return new HttpException(response.body, response.status);
}

function storableText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** The row as `insertOrFind` just wrote it under `lease`: what a claim would have returned. */
function leasedDelivery(id: string, row: NewDelivery, lease: HandoffLease): ClaimedDelivery {
  // Field by field: V8 copies a rest-and-spread object in a slow runtime call, here once per delivery.
  return {
    id,
    provider: row.provider,
    eventId: row.eventId,
    type: row.type,
    rawBody: row.rawBody,
    headers: row.headers,
    paymentType: row.paymentType,
    reference: row.reference,
    receivedAt: row.receivedAt,
    status: 'processing',
    attempts: 1,
    nextAttemptAt: row.receivedAt,
    leaseOwner: lease.owner,
    leaseExpiresAt: lease.expiresAt,
    updatedAt: row.receivedAt,
    handlers: [],
  };
}

function redact(headers: Readonly<Record<string, string | undefined>>, credentials: ReadonlySet<string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) kept[name] = credentials.has(name) ? REDACTED : value;
  }
  return kept;
}
