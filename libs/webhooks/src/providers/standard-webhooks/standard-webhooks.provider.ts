import { Webhook } from 'standardwebhooks';
import type { PaymentEvent, ProviderEvent } from '../../events/payment-event';
import { WebhookPayloadError } from '../../errors/webhook-payload.error';
import { WebhookVerificationError } from '../../errors/webhook-verification.error';
import { activeSecrets, secretValue, type WebhookSecret } from '../../secrets/webhook-secret';
import { matchHmac } from '../hmac';
import { boundedId, dateOf, parseJsonObject } from '../payload';
import { endpointPaths, secretProblems, type EndpointOptions } from '../provider-options';
import type { RawWebhookRequest, WebhookProvider } from '../webhook-provider.interface';

/** The payload shape the Standard Webhooks spec recommends. */
export interface StandardWebhookMessage {
  type?: string;
  /** ISO 8601 time of the event. */
  timestamp?: string;
  data?: unknown;
  [key: string]: unknown;
}

export interface StandardWebhooksProviderOptions<TPayload = StandardWebhookMessage> extends Omit<EndpointOptions, 'name'> {
  /** Endpoint name, required: the sender is not implied ('svix', 'resend', 'lemon'…). */
  name: string;
  /** `whsec_…` secrets (or their bare base64); several during a rotation. */
  secrets: WebhookSecret[];
  /** Accepted distance between webhook-timestamp and reception, in seconds, either way. Default 300 (the spec's). */
  tolerance?: number;
  /** Maps a message to a payment outcome; without it, events are stored and dispatched with no payment view. */
  normalize?: (payload: TPayload, event: Omit<ProviderEvent<TPayload>, 'payment'>) => PaymentEvent | undefined;
}

export type StandardWebhooksProvider<TPayload = StandardWebhookMessage> = WebhookProvider<TPayload>;

const ID_HEADER = 'webhook-id';
const TIMESTAMP_HEADER = 'webhook-timestamp';
const SIGNATURE_HEADER = 'webhook-signature';
const SECRET_PREFIX = 'whsec_';

/**
 * Any sender that follows the Standard Webhooks spec (Svix and the services built on it). Signatures
 * are computed by the `standardwebhooks` package; the timestamp is checked here against `receivedAt`,
 * because the package's own `verify` reads the wall clock and cannot be given ours.
 */
export function standardWebhooks<TPayload = StandardWebhookMessage>(options: StandardWebhooksProviderOptions<TPayload>): StandardWebhooksProvider<TPayload> {
  const name = options.name;
  const tolerance = options.tolerance ?? 300;
  // One Webhook per secret value; null for a value the package cannot decode (validate() reports it).
  const signers = new Map<string, Webhook | null>();
  const signerFor = (secret: string): Webhook | null => {
    if (!signers.has(secret)) signers.set(secret, decodeSigner(secret));
    return signers.get(secret)!;
  };
  return {
    name,
    paths: endpointPaths(options.path),
    allowIps: options.allowIps,
    validate: () => validateOptions(options),
    verify(req: RawWebhookRequest) {
      const id = req.headers[ID_HEADER];
      const timestamp = req.headers[TIMESTAMP_HEADER]?.trim();
      const signatureHeader = req.headers[SIGNATURE_HEADER];
      const missing = [!id && ID_HEADER, !timestamp && TIMESTAMP_HEADER, !signatureHeader && SIGNATURE_HEADER].filter(Boolean);
      if (!id || !timestamp || !signatureHeader) throw new WebhookVerificationError('missing-header', `Missing header(s): ${missing.join(', ')}.`);
      if (!/^(0|[1-9]\d{0,11})$/.test(timestamp)) throw new WebhookVerificationError('malformed-header', 'The webhook-timestamp header must be a unix time in seconds.');
      const candidates = signatureHeader
        .split(' ')
        .map((entry) => /^v1,(.+)$/.exec(entry)?.[1])
        .filter((signature): signature is string => !!signature);
      if (candidates.length === 0) {
        throw new WebhookVerificationError('malformed-header', 'The webhook-signature header must hold space-separated v1,<base64> signatures.');
      }
      const sentAt = new Date(Number(timestamp) * 1000);
      const body = req.rawBody.toString('utf8');
      const matched = matchHmac(activeSecrets(options.secrets, req.receivedAt), candidates, (secret) => {
        // `sign` answers "v1,<base64>"; an undecodable secret signs nothing (no candidate is empty).
        return signerFor(secret)?.sign(id, sentAt, body).slice(3) ?? '';
      });
      if (matched < 0) throw new WebhookVerificationError('invalid-signature', 'No v1 signature in webhook-signature matches this endpoint\'s secret; sign "<webhook-id>.<webhook-timestamp>.<body>".');
      // Checked after the signature, so an unsigned request learns nothing about our clock.
      if (Math.abs(req.receivedAt.getTime() - sentAt.getTime()) / 1000 > tolerance) {
        throw new WebhookVerificationError('timestamp-out-of-tolerance', `webhook-timestamp is more than ${tolerance} s away from our clock; resend the message with a fresh timestamp.`);
      }
      return { secretIndex: matched };
    },
    parse(req: RawWebhookRequest): ProviderEvent<TPayload> {
      const webhookId = req.headers[ID_HEADER];
      if (!webhookId) throw new WebhookPayloadError('The webhook-id header is missing.');
      const payload = parseJsonObject(req.rawBody, 'A Standard Webhooks message') as TPayload;
      const message = payload as StandardWebhookMessage;
      const event: Omit<ProviderEvent<TPayload>, 'payment'> = {
        provider: name,
        // The spec's idempotency key: the same for every retry of one message.
        id: boundedId(webhookId),
        type: typeof message.type === 'string' && message.type !== '' ? message.type : 'message',
        payload,
        // The payload's ISO time is when the event happened; the header's is only this attempt's.
        occurredAt: dateOf(message.timestamp) ?? dateOf(Number(req.headers[TIMESTAMP_HEADER]), { numericUnit: 's' }),
      };
      return { ...event, payment: options.normalize?.(payload, event) };
    },
  };
}

function decodeSigner(secret: string): Webhook | null {
  try {
    return new Webhook(secret);
  } catch {
    return null;
  }
}

function validateOptions<TPayload>(options: StandardWebhooksProviderOptions<TPayload>): string[] {
  const problems: string[] = [];
  if (typeof options.name !== 'string' || options.name.trim() === '') problems.push("name: required; name the sender, e.g. 'svix'");
  problems.push(...secretProblems(options.secrets));
  (options.secrets ?? []).forEach((entry, index) => {
    const value = secretValue(entry);
    if (typeof value !== 'string' || value === '' || value.trim() !== value) return; // already reported
    const size = decodedSize(value);
    if (size === undefined) problems.push(`secrets[${index}]: must be ${SECRET_PREFIX} followed by base64 (as the sender's dashboard shows it); asymmetric whpk_ keys are not supported`);
    else if (size < 24 || size > 64) problems.push(`secrets[${index}]: decodes to ${size} bytes; a Standard Webhooks secret is 24 to 64 bytes`);
  });
  if (options.tolerance !== undefined && !(Number.isFinite(options.tolerance) && options.tolerance > 0)) problems.push('tolerance: must be a positive number of seconds');
  if (options.normalize !== undefined && typeof options.normalize !== 'function') problems.push('normalize: must be a function');
  return problems;
}

/** Bytes of key material in a `whsec_` (or bare) base64 secret, or undefined when it is not strict base64. */
function decodedSize(secret: string): number | undefined {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded.length === 0 || encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined;
  return Buffer.from(encoded, 'base64').length;
}
